import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Where the built pages of @openlem/web live, or null when they are not built. */
export function pagesDir(): string | null {
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve("@openlem/web/package.json")), "dist");
    return existsSync(join(dir, "admin", "index.html")) ? dir : null;
  } catch {
    return null;
  }
}

/**
 * The operator's pages at /admin/ and the participants' at /app/, served from the workspace
 * build of @openlem/web, so nothing else has to be deployed. Not built: a page that says how.
 */
export async function registerPages(app: FastifyInstance): Promise<void> {
  const dir = pagesDir();
  if (!dir) {
    for (const path of ["/admin", "/admin/", "/app", "/app/"])
      app.get(path, async (_req, reply) =>
        reply
          .status(503)
          .type("text/plain")
          .send("The pages are not built yet: run `npm run build -w @openlem/web` (npm start does it) and reload."),
      );
    return;
  }
  await app.register(fastifyStatic, { root: dir, prefix: "/", index: ["index.html"], redirect: true });
}
