import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Database } from "../db/database.js";

/** Why the hub cannot serve yet (the demo still playing its history, say); null: it can. */
export type Readiness = () => string | null;

/**
 * /healthz: the process is up. /readyz: it can serve: the database answers and nothing it
 * needs first is still under way.
 */
export async function healthRoutes(
  app: FastifyInstance,
  opts: { db: Database; readiness?: Readiness | undefined },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const Status = z.object({
    status: z.enum(["ok", "unavailable"]),
    database: z.string().optional(),
    reason: z.string().optional(),
  });
  r.get("/healthz", { schema: { tags: ["operations"], response: { 200: Status } } }, async () => ({
    status: "ok" as const,
  }));
  r.get(
    "/readyz",
    { schema: { tags: ["operations"], response: { 200: Status, 503: Status } } },
    async (_req, reply) => {
      const why = opts.readiness?.() ?? null;
      if (why) return reply.status(503).send({ status: "unavailable" as const, database: opts.db.kind, reason: why });
      try {
        await opts.db.query("SELECT 1");
        return { status: "ok" as const, database: opts.db.kind };
      } catch {
        return reply
          .status(503)
          .send({ status: "unavailable" as const, database: opts.db.kind, reason: "the database does not answer" });
      }
    },
  );
}
