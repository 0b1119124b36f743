import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Database } from "../db/database.js";

/** /healthz: the process is up. /readyz: it can serve (the database answers). */
export async function healthRoutes(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const Status = z.object({ status: z.enum(["ok", "unavailable"]), database: z.string().optional() });
  r.get("/healthz", { schema: { tags: ["operations"], response: { 200: Status } } }, async () => ({
    status: "ok" as const,
  }));
  r.get(
    "/readyz",
    { schema: { tags: ["operations"], response: { 200: Status, 503: Status } } },
    async (_req, reply) => {
      try {
        await opts.db.query("SELECT 1");
        return { status: "ok" as const, database: opts.db.kind };
      } catch {
        return reply.status(503).send({ status: "unavailable" as const, database: opts.db.kind });
      }
    },
  );
}
