/**
 * Hub benchmark against a real PostgreSQL: `npm run bench -w @openlem/hub [-- --json]`.
 * The database comes from OPENLEM_BENCH_DATABASE_URL, else DATABASE_URL, else the local
 * postgres://postgres@127.0.0.1:5432/test; the bench works in a scratch database it drops.
 *
 * - ingest-batch: orders/s through POST …/orders/batch (1,000 orders a request), target >= 20,000;
 * - post-single: single-order POSTs/s, with `ratio` to a Fastify hello-world POST measured the
 *   same way in the same run, target >= 0.3;
 * - slot-10k: one slot of 10,000 households cleared, stored and published on MQTT, target <= 1,000 ms.
 */
import { randomBytes } from "node:crypto";
import { CommunityId } from "@openlem/protocol";
import Fastify from "fastify";
import pg from "pg";
import { configFromEnv } from "../src/config.js";
import { type RunningHub, startHub } from "../src/hub.js";
import { clearSlot } from "../src/services/clearing.js";

const json = process.argv.includes("--json");
const base =
  process.env.OPENLEM_BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const OP = { email: "bench@example.org", password: "bench password" };
const SLOT = "2026-06-21T12:00:00.000Z";
const log = (m: string) => {
  if (!json || process.stderr.isTTY) process.stderr.write(`${m}\n`);
};

interface Row {
  bench: string;
  value: number;
  unit: string;
  ratio?: number;
  target: string;
}
const rows: Row[] = [];
const report = (r: Row) => {
  rows.push(r);
  if (json) console.log(JSON.stringify(r));
};

/** Sends requests from `concurrency` loops for `ms` milliseconds; returns requests per second. */
async function load(ms: number, concurrency: number, send: (i: number) => Promise<Response>): Promise<number> {
  let n = 0;
  let failed = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const res = await send(n++);
        if (!res.ok) failed++;
        await res.arrayBuffer();
      }
    }),
  );
  if (failed > 0) throw new Error(`${failed} requests failed`);
  return n / ((performance.now() - t0) / 1000);
}

async function main() {
  const name = `openlem_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  let hub: RunningHub | undefined;
  try {
    const now = Date.parse(SLOT) - 3_600_000;
    hub = await startHub({
      config: configFromEnv({}, { port: 0, mqttPort: 0, databaseUrl: url.toString(), logLevel: "silent" }),
      now: () => new Date(now),
      operator: OP,
      tickMs: 0,
    });
    const u = hub.url;
    const call = (path: string, token: string | undefined, body: unknown) =>
      fetch(`${u}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const op = ((await (await call("/api/auth/login", undefined, OP)).json()) as { accessToken: string }).accessToken;
    const market = {
      timeZone: "Europe/Amsterdam",
      retailPrice: 0.22,
      feedInTariff: 0.09,
      priceFloor: 0,
      priceCap: 0.5,
    };
    await call("/api/communities", op, { id: "bench", name: "Bench", market });
    await call("/api/communities/bench/meters", op, { meterId: "bench-m", householdId: "h" });
    const made = await call("/api/communities/bench/households/h/device-tokens", op, { name: "bench" });
    const device = ((await made.json()) as { token: string }).token;

    log("[1/3] ingest-batch: 1,000 orders a request");
    let batchNo = 0;
    const batch = () => ({
      orders: Array.from({ length: 1000 }, (_, i) => ({
        clientOrderId: `b${batchNo}-${i}`,
        side: i % 2 ? "buy" : "sell",
        slot: new Date(Date.parse(SLOT) + (i % 8) * 900_000).toISOString(),
        energyWh: 100 + (i % 900),
        limitPrice: 0.1 + (i % 10) / 100,
        ...(i % 2 ? {} : { source: "pv" }),
      })),
    });
    await call("/api/communities/bench/households/h/orders/batch", device, batch()); // warm-up
    const reqPerS = await load(8000, 2, () => {
      batchNo++;
      return call("/api/communities/bench/households/h/orders/batch", device, batch());
    });
    report({ bench: "ingest-batch", value: Math.round(reqPerS * 1000), unit: "orders/s", target: ">= 20000" });

    log("[2/3] post-single against a Fastify hello-world POST");
    const hello = Fastify();
    hello.post("/hello", async (req) => ({ ok: true, got: (req.body as { clientOrderId?: string }).clientOrderId }));
    await hello.listen({ port: 0, host: "127.0.0.1" });
    const helloUrl = `http://127.0.0.1:${(hello.server.address() as { port: number }).port}/hello`;
    const single = (i: number) => ({
      clientOrderId: `s-${i}-${randomBytes(3).toString("hex")}`,
      side: "buy",
      slot: SLOT,
      energyWh: 500,
      limitPrice: 0.18,
    });
    const send = (target: string, token?: string) => (i: number) =>
      fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(single(i)),
      });
    await load(1000, 8, send(helloUrl)); // warm-up both
    await load(1000, 8, send(`${u}/api/communities/bench/households/h/orders`, device));
    const helloRps = await load(5000, 8, send(helloUrl));
    const hubRps = await load(5000, 8, send(`${u}/api/communities/bench/households/h/orders`, device));
    await hello.close();
    report({
      bench: "post-single",
      value: Math.round(hubRps),
      unit: "requests/s",
      ratio: Math.round((hubRps / helloRps) * 100) / 100,
      target: "ratio >= 0.3",
    });

    log("[3/3] slot-10k: 10,000 households, cleared, stored and published");
    const db = hub.ctx.db;
    const slot10k = new Date(Date.parse(SLOT) + 86_400_000).toISOString();
    await db.query(
      "INSERT INTO market.households (community_id, id) SELECT 'bench', 'h' || g FROM generate_series(1, 10000) g ON CONFLICT DO NOTHING",
    );
    await db.query(
      `INSERT INTO market.orders (community_id, household_id, client_order_id, slot, commodity, side, body, energy_wh)
       SELECT 'bench', 'h' || g, 'o', $1::timestamptz, 'electricity', CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'sell' END,
              jsonb_build_object('clientOrderId', 'o', 'side', CASE WHEN g % 2 = 0 THEN 'buy' ELSE 'sell' END,
                                 'commodity', 'electricity', 'slot', $2::text, 'energyWh', 200 + g % 800,
                                 'limitPrice', round((0.05 + (g % 25) / 100.0)::numeric, 2))
                     || CASE WHEN g % 2 = 0 THEN '{}'::jsonb ELSE '{"source": "pv"}'::jsonb END,
              200 + g % 800
         FROM generate_series(1, 10000) g`,
      [slot10k, slot10k],
    );
    const at = new Date(Date.parse(slot10k) - 60_000);
    const t0 = performance.now();
    const cleared = await db.transaction((tx) =>
      clearSlot(tx, {
        communityId: CommunityId.parse("bench"),
        slot: slot10k,
        commodity: "electricity",
        now: at,
        triggeredBy: "scheduler",
      }),
    );
    const t1 = performance.now();
    await hub.mqtt.publishCleared(CommunityId.parse("bench"), cleared);
    const ms = performance.now() - t0;
    log(`      clear and store ${Math.round(t1 - t0)} ms, publish ${Math.round(performance.now() - t1)} ms`);
    if (cleared.fillsByHousehold.size < 5000)
      throw new Error(`only ${cleared.fillsByHousehold.size} households traded`);
    report({ bench: "slot-10k", value: Math.round(ms), unit: "ms", target: "<= 1000" });
  } finally {
    await hub?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  if (!json) {
    console.log(`\n${"bench".padEnd(14)}${"value".padStart(12)}  ${"unit".padEnd(12)}${"ratio".padStart(7)}  target`);
    for (const r of rows) {
      console.log(
        `${r.bench.padEnd(14)}${r.value.toLocaleString("en").padStart(12)}  ${r.unit.padEnd(12)}${(r.ratio?.toFixed(2) ?? "").padStart(7)}  ${r.target}`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
