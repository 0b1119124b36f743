import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { scratchDatabaseUrl } from "./databases.js";
import { MARKET } from "./fixtures.js";
import { callHub, type HubProcess, startHubProcess } from "./hub-process.js";

// The hub killed with SIGKILL at random moments, while it takes orders and clears slots, on real
// PostgreSQL: every order it acknowledged is there exactly once, every slot whose gate closed is
// cleared exactly once, and every cleared slot balances to the Wh and the tick. The moments come
// from a seeded generator (the seed is printed; OPENLEM_CRASH_SEED replays it, OPENLEM_CRASH_KILLS
// sets how many: `npm run reliability -w @openlem/hub` runs more).
const OP = { email: "crash-op@example.org", password: "crash operator password" };
const KILLS = Number(process.env.OPENLEM_CRASH_KILLS ?? 5);
const SEED = Number(process.env.OPENLEM_CRASH_SEED ?? Date.now() % 2 ** 31);
const SPEED = "600"; // a 15-minute slot every 1.5 s

describeWithRealService("postgres", "the hub killed at random moments (kill -9)", (pgUrl) => {
  let dbUrl = "";
  let scratch: { url: string; drop: () => Promise<void> } | undefined;
  let hub: HubProcess | undefined;
  const db = () => new pg.Client({ connectionString: dbUrl });

  beforeAll(async () => {
    scratch = await scratchDatabaseUrl(pgUrl, "openlem_crash");
    dbUrl = scratch.url;
  });
  afterAll(async () => {
    await hub?.kill();
    await scratch?.drop();
  });

  const start = () =>
    startHubProcess({ DATABASE_URL: dbUrl, OPENLEM_OPERATOR_EMAIL: OP.email, OPENLEM_OPERATOR_PASSWORD: OP.password }, [
      "--speed",
      SPEED,
    ]);
  it("loses no acknowledged order, clears every slot once, and balances every cleared slot", async () => {
    console.log(`crash test: seed ${SEED}, ${KILLS} kills (OPENLEM_CRASH_SEED=${SEED} replays it)`);
    const delays = fc.sample(fc.integer({ min: 200, max: 1_500 }), { seed: SEED, numRuns: KILLS });
    const acked = new Set<string>();
    let n = 0;
    hub = await start();
    const first = await (await callHub(hub.url, "/api/auth/login", null, OP)).json();
    expect(
      (await callHub(hub.url, "/api/communities", first.accessToken, { id: "cr", name: "Crash", market: MARKET }))
        .status,
    ).toBe(201);

    for (const delay of delays) {
      const h = hub;
      const token = (await (await callHub(h.url, "/api/auth/login", null, OP)).json()).accessToken as string;
      let stop = false;
      const driver = (async () => {
        while (!stop) {
          try {
            const clock = await (await callHub(h.url, "/api/communities/cr/clock", token)).json();
            for (const [household, side, price] of [
              ["a", "buy", 0.2],
              ["b", "sell", 0.12],
            ] as const) {
              const id = `o-${++n}`;
              const order = {
                clientOrderId: id,
                side,
                slot: clock.nextOpenSlot,
                energyWh: 100 + (n % 7) * 50,
                limitPrice: price,
              };
              const r = await callHub(h.url, `/api/communities/cr/households/${household}/orders`, token, order);
              if (r.status === 201 || r.status === 200) acked.add(`${household}|${id}`);
            }
          } catch {
            // the hub was killed under the request: whatever it had not acknowledged may be lost
          }
        }
      })();
      await new Promise((r) => setTimeout(r, delay));
      await h.kill();
      stop = true;
      await driver;
      hub = await start();
    }

    // the last start runs on: every slot whose gate has closed gets cleared (the scheduler catches up)
    const c = db();
    await c.connect();
    try {
      const lastSlot = async () =>
        (await c.query<{ last: Date | null }>("SELECT max(slot) AS last FROM market.orders WHERE community_id = 'cr'"))
          .rows[0]?.last;
      const ordered = await lastSlot();
      await expect
        .poll(
          async () => {
            const { rows } = await c.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM market.orders WHERE community_id = 'cr' AND slot <= $1 AND status = 'open'",
              [ordered],
            );
            return rows[0]?.n;
          },
          { timeout: 60_000 },
        )
        .toBe(0);

      // every acknowledged order is stored, exactly once
      const { rows: orders } = await c.query<{ household_id: string; client_order_id: string }>(
        "SELECT household_id, client_order_id FROM market.orders WHERE community_id = 'cr'",
      );
      const stored = orders.map((o) => `${o.household_id}|${o.client_order_id}`);
      expect(new Set(stored).size).toBe(stored.length);
      const missing = [...acked].filter((k) => !stored.includes(k));
      expect(missing).toEqual([]);
      expect(acked.size).toBeGreaterThan(0);

      // every slot with orders is cleared exactly once, and no slot cleared twice
      const { rows: perSlot } = await c.query<{ slot: Date; n: number }>(
        `SELECT o.slot, (SELECT count(*)::int FROM market.clearings k WHERE k.community_id = 'cr' AND k.slot = o.slot) AS n
           FROM (SELECT DISTINCT slot FROM market.orders WHERE community_id = 'cr' AND slot <= $1) o`,
        [ordered],
      );
      expect(perSlot.length).toBeGreaterThan(1);
      expect(perSlot.filter((s) => s.n !== 1)).toEqual([]);

      // each cleared slot balances: local energy bought = sold, and the money with it, to the tick
      const { rows: unbalanced } = await c.query(
        `SELECT slot,
                sum(CASE WHEN side = 'buy' THEN energy_wh ELSE -energy_wh END) AS wh,
                sum(CASE WHEN side = 'buy' THEN energy_wh * price_ticks ELSE -energy_wh * price_ticks END) AS money
           FROM market.fills WHERE community_id = 'cr' AND counterparty = 'local'
          GROUP BY slot
         HAVING sum(CASE WHEN side = 'buy' THEN energy_wh ELSE -energy_wh END) <> 0
             OR sum(CASE WHEN side = 'buy' THEN energy_wh * price_ticks ELSE -energy_wh * price_ticks END) <> 0`,
      );
      expect(unbalanced).toEqual([]);
      console.log(
        `crash test: ${KILLS} kills, ${acked.size} acknowledged orders all stored once, ${perSlot.length} slots cleared once each`,
      );
    } finally {
      await c.end();
    }
  }, 300_000);
});
