/**
 * Clearing benchmark: `npm run bench -w @openlem/engine [-- --json] [-- --sizes=1000,10000]`.
 *
 * Each mechanism clears random books of 1k ... 1M orders; the baseline is sorting the same
 * number of prices in a Float64Array in the same run, the floor of any merit order.
 * Continuous matching is reported in orders per second. Times are medians of repeats.
 *
 * "slot" rows time a whole slot of a uniform market, clearing and then settling every
 * participant against its meters, on the two paths users hit: columns (`clearUniformColumns`
 * then `settleColumns`, as the simulator runs every slot) and objects (`clear` then `settle`,
 * as the hub runs a slot, whose fills and ledger lines it stores row by row).
 */
import {
  type BookColumns,
  type BookOrder,
  ContinuousBook,
  clear,
  clearUniformColumns,
  type MarketParams,
  type MeteredSlot,
  SOURCE_CODES,
  settle,
  settleColumns,
  type TariffTicks,
} from "../src/index.js";

const json = process.argv.includes("--json");
const sizesArg = process.argv.find((a) => a.startsWith("--sizes="));
const sizes = sizesArg ? sizesArg.slice(8).split(",").map(Number) : [1_000, 10_000, 100_000, 1_000_000];
const TARIFF: TariffTicks = { retail: 22_000, feedIn: 9_000, fee: 0 };
const at = Date.parse("2026-06-21T10:10:00Z");

/** mulberry32: a small seeded generator, so every run measures the same books. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random book of n single-step orders: half buys, half sells, limits from 5 to 30 ct/kWh
 * around the 9 / 22 ct utility prices, 0.1 to 5 kWh, n/2 participants (so many have a buy
 * and a sell that cross and self-trade prevention has work to do).
 */
function columns(n: number, seed: number, priceScale = 1): BookColumns {
  const r = rng(seed);
  const participants = Math.max(2, Math.floor(n / 2));
  const c: BookColumns = {
    n,
    isBuy: new Uint8Array(n),
    priceTicks: new Float64Array(n),
    energyWh: new Float64Array(n),
    tieKey: new Float64Array(n),
    participant: new Int32Array(n),
    participants,
    source: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const buy = r() < 0.5;
    c.isBuy[i] = buy ? 1 : 0;
    c.participant[i] = Math.floor(r() * participants);
    c.priceTicks[i] = (5_000 + Math.floor(r() * 25_000)) * priceScale;
    c.energyWh[i] = 100 + Math.floor(r() * 4_900);
    c.tieKey[i] = (i + 1) * 256;
    (c.source as Uint8Array)[i] = SOURCE_CODES.indexOf(buy ? "other" : r() < 0.8 ? "pv" : "battery");
  }
  return c;
}

/** The same book as order objects, with the participant numbers as keys (as the hub passes them). */
function book(c: BookColumns): BookOrder[] {
  const out = new Array<BookOrder>(c.n);
  for (let i = 0; i < c.n; i++) {
    const buy = c.isBuy[i] === 1;
    const p = c.participant[i] as number;
    out[i] = {
      id: `o${i}`,
      seq: i + 1,
      householdId: `p${p}`,
      householdKey: p,
      side: buy ? "buy" : "sell",
      commodity: "electricity",
      steps: [{ priceTicks: c.priceTicks[i] as number, energyWh: c.energyWh[i] as number }],
      source: buy ? null : (SOURCE_CODES[(c.source as Uint8Array)[i] as number] ?? "other"),
    };
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function repeats(n: number): number {
  return n >= 1_000_000 ? 3 : n >= 100_000 ? 5 : 15;
}

function time(fn: () => void, reps: number): number {
  // warm-up until the JIT has settled: at least as many runs as are timed, and 500 ms (100 ms left the first case cold)
  const warm = performance.now();
  for (let i = 0; i < reps || performance.now() - warm < 500; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

function sortBaseline(n: number, seed: number): number {
  const r = rng(seed);
  const src = new Float64Array(n);
  for (let i = 0; i < n; i++) src[i] = 5_000 + Math.floor(r() * 25_000);
  return time(() => {
    src.slice().sort();
  }, repeats(n));
}

interface Row {
  mechanism: string;
  orders: number;
  ms: number;
  baselineMs: number;
  ratio: number;
  ordersPerSecond?: number;
}

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  if (json) console.log(JSON.stringify(row));
}
function progress(msg: string): void {
  if (!json || process.stderr.isTTY) process.stderr.write(`${msg}\n`);
}

const market = (mechanism: MarketParams["mechanism"], tariff: TariffTicks | null = TARIFF): MarketParams => ({
  commodity: "electricity",
  mechanism,
  tariff,
  sourceOrder: ["pv", "battery"],
});

/**
 * Every participant's meters for a slot of the book: what it ordered, give or take a fifth
 * (a deviation to settle at retail or feed-in), so settlement has a line for nearly everyone.
 */
function meters(c: BookColumns, seed: number): { importWh: Float64Array; exportWh: Float64Array } {
  const r = rng(seed);
  const net = new Float64Array(c.participants);
  for (let k = 0; k < c.n; k++) {
    const p = c.participant[k] as number;
    net[p] = (net[p] as number) + (c.isBuy[k] === 1 ? 1 : -1) * (c.energyWh[k] as number);
  }
  const importWh = new Float64Array(c.participants);
  const exportWh = new Float64Array(c.participants);
  for (let p = 0; p < c.participants; p++) {
    const x = Math.round((net[p] as number) * (0.8 + 0.4 * r()));
    importWh[p] = Math.max(0, x);
    exportWh[p] = Math.max(0, -x);
  }
  return { importWh, exportWh };
}

const SLOT = "2026-06-21T10:15:00Z";

let step = 0;
const total = sizes.length * 8;
for (const n of sizes) {
  const cols = columns(n, 42);
  // Prices spread a thousandfold with no utility force the sorted-levels path of the uniform auction.
  const wide = columns(n, 42, 1000);
  const baselineMs = sortBaseline(n, 7);
  // The object book is built only after the columnar runs, so that they do not pay for its heap.
  let orders: BookOrder[] = [];
  const { importWh, exportWh } = meters(cols, 43);
  let metered: MeteredSlot[] = [];
  const cases: [string, () => void][] = [
    [
      "slot (columns)",
      () => {
        const r = clearUniformColumns(cols, TARIFF);
        settleColumns({ ...cols, ...r, importWh, exportWh, tariff: TARIFF });
      },
    ],
    ["uniform", () => clearUniformColumns(cols, TARIFF)],
    ["uniform (sorted levels)", () => clearUniformColumns(wide, null)],
    ["uniform (objects)", () => clear({ market: market("uniform"), orders, atMs: at })],
    ["per-source (objects)", () => clear({ market: market("per-source"), orders, atMs: at })],
    ["pay-as-bid (objects)", () => clear({ market: market("pay-as-bid"), orders, atMs: at })],
    [
      "slot (objects)",
      () => {
        const r = clear({ market: market("uniform"), orders, atMs: at });
        settle({ fills: [{ slot: SLOT, fills: r.fills }], metered, tariff: () => TARIFF });
      },
    ],
  ];
  for (const [mechanism, fn] of cases) {
    if (mechanism === "uniform (objects)") {
      orders = book(cols);
      metered = Array.from(importWh, (imp, p) => ({
        householdId: `p${p}`,
        slot: SLOT,
        commodity: "electricity" as const,
        importWh: imp,
        exportWh: exportWh[p] as number,
      }));
    }
    progress(`[${++step}/${total}] ${mechanism}, ${n.toLocaleString("en")} orders`);
    const ms = time(fn, repeats(n));
    report({ mechanism, orders: n, ms: round(ms), baselineMs: round(baselineMs), ratio: round(ms / baselineMs) });
  }
  progress(`[${++step}/${total}] continuous (objects), ${n.toLocaleString("en")} orders`);
  const ms = time(() => {
    const b = new ContinuousBook(TARIFF);
    for (const o of orders) b.submit(o, at);
  }, repeats(n));
  report({
    mechanism: "continuous (objects)",
    orders: n,
    ms: round(ms),
    baselineMs: round(baselineMs),
    ratio: round(ms / baselineMs),
    ordersPerSecond: Math.round(n / (ms / 1000)),
  });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (!json) {
  const pad = (s: string, w: number) => s.padStart(w);
  console.log(
    `\n${"mechanism".padEnd(24)}${pad("orders", 11)}${pad("ms", 10)}${pad("sort ms", 10)}${pad("ratio", 8)}${pad("orders/s", 13)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.mechanism.padEnd(24)}${pad(r.orders.toLocaleString("en"), 11)}${pad(r.ms.toFixed(2), 10)}${pad(r.baselineMs.toFixed(2), 10)}${pad(r.ratio.toFixed(2), 8)}${pad(r.ordersPerSecond ? r.ordersPerSecond.toLocaleString("en") : "", 13)}`,
    );
  }
  const at1M = rows.find((r) => r.mechanism === "uniform" && r.orders === 1_000_000);
  const cont = rows.filter((r) => r.mechanism === "continuous (objects)").at(-1);
  console.log("\nuniform: columnar book (typed arrays); (objects): one BookOrder object per order, fills as objects");
  console.log(
    "slot: clear + settle every participant; (columns) the simulator's path, (objects) the hub's (it stores each fill and line)",
  );
  for (const n of new Set(sizes)) {
    const c = rows.find((r) => r.mechanism === "slot (columns)" && r.orders === n);
    const o = rows.find((r) => r.mechanism === "slot (objects)" && r.orders === n);
    if (c && o)
      console.log(`slot ${n.toLocaleString("en")} orders: columns ${(o.ms / c.ms).toFixed(1)}x faster than objects`);
  }
  console.log("targets: uniform at 1M orders ratio <= 3; continuous >= 500,000 orders/s");
  if (at1M) console.log(`uniform 1M: ratio ${at1M.ratio} ${at1M.ratio <= 3 ? "(met)" : "(MISSED)"}`);
  if (cont?.ordersPerSecond) {
    console.log(
      `continuous ${cont.orders.toLocaleString("en")}: ${cont.ordersPerSecond.toLocaleString("en")} orders/s ${cont.ordersPerSecond >= 500_000 ? "(met)" : "(MISSED)"}`,
    );
  }
}
