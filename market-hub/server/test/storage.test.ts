import { expect, it } from "vitest";
import { loadMigrations, migrate } from "../src/db/migrate.js";
import { describeEachDatabase } from "./databases.js";

describeEachDatabase("storage", (db) => {
  it("applies every migration once, and nothing on a second start", async () => {
    const all = (await loadMigrations()).map((m) => m.id);
    expect(all[0]).toBe("001_initial");
    expect(await migrate(db())).toEqual(all);
    expect(await migrate(db())).toEqual([]);
    const schemas = await db().query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname IN ('auth', 'market') ORDER BY nspname",
    );
    expect(schemas.map((s) => s.nspname)).toEqual(["auth", "market"]);
  });

  it("migrates once when several processes start together", async () => {
    const extra = [
      {
        id: "900_test_counter",
        sql: "CREATE TABLE market.test_counter (n int); INSERT INTO market.test_counter VALUES (1);",
      },
    ];
    const migrations = [...(await loadMigrations()), ...extra];
    const results = await Promise.all([
      migrate(db(), migrations),
      migrate(db(), migrations),
      migrate(db(), migrations),
    ]);
    expect(results.flat()).toEqual(["900_test_counter"]);
    expect(await db().query("SELECT n FROM market.test_counter")).toEqual([{ n: 1 }]);
  });

  it("returns int8 columns as exact numbers and refuses to round", async () => {
    const [row] = await db().query<{ big: number }>("SELECT 9007199254740991::int8 AS big");
    expect(row?.big).toBe(Number.MAX_SAFE_INTEGER);
    await expect(db().query("SELECT 9007199254740993::int8 AS big")).rejects.toThrow(/exact integer range/);
  });

  it("rolls a failed transaction back completely", async () => {
    await db().exec("CREATE TABLE IF NOT EXISTS market.tx_probe (n int PRIMARY KEY)");
    await expect(
      db().transaction(async (tx) => {
        await tx.query("INSERT INTO market.tx_probe VALUES (1)");
        await tx.query("INSERT INTO market.tx_probe VALUES (1)"); // duplicate key
      }),
    ).rejects.toThrow();
    expect(await db().query("SELECT * FROM market.tx_probe")).toEqual([]);
    await db().transaction(async (tx) => {
      await tx.query("INSERT INTO market.tx_probe VALUES ($1)", [2]);
    });
    expect(await db().query("SELECT n FROM market.tx_probe")).toEqual([{ n: 2 }]);
  });
});
