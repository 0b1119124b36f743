import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { type Database, openDatabase } from "../src/db/database.js";

/**
 * Runs a suite once on the embedded PGlite and once on the real PostgreSQL (when
 * OPENLEM_TEST_DATABASE_URL is set). Each real run gets a database of its own, dropped after.
 */
export function describeEachDatabase(name: string, body: (db: () => Database) => void): void {
  describeWithDatabase("pglite", name, async () => ({ db: await openDatabase({ dataDir: "memory://" }) }), body);
  describeWithRealService("postgres", name, (url) => {
    describeWithDatabase("postgres", "", () => scratchDatabase(url), body);
  });
}

function describeWithDatabase(
  kind: string,
  name: string,
  open: () => Promise<{ db: Database; drop?: () => Promise<void> }>,
  body: (db: () => Database) => void,
): void {
  const run = () => {
    let handle: { db: Database; drop?: () => Promise<void> } | undefined;
    beforeAll(async () => {
      handle = await open();
    });
    afterAll(async () => {
      await handle?.db.close();
      await handle?.drop?.();
    });
    body(() => {
      if (!handle) throw new Error("database not open yet");
      return handle.db;
    });
  };
  // The real-service helper already opened a describe block named after the suite.
  if (name) describe(`${name} [${kind}]`, run);
  else run();
}

/** A fresh database on the real server: its URL, and how to drop it. */
export async function scratchDatabaseUrl(
  url: string,
  prefix = "openlem_t",
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A fresh database on the real server, created for one suite and dropped after it. */
export async function scratchDatabase(url: string): Promise<{ db: Database; drop: () => Promise<void> }> {
  const scratch = await scratchDatabaseUrl(url);
  return { db: await openDatabase({ url: scratch.url }), drop: scratch.drop };
}
