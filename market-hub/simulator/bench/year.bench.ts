/**
 * One year (35,040 slots) of a 1,000-household community in-process: every household with
 * load and PV, 20 % with a home battery, 30 % with a hot-water boiler, cleared at uniform
 * price every 15 minutes. Prints household-slots per second and the ratio against a
 * baseline measured in the same run: the same community with no flexible devices and no
 * market (utility only), i.e. the cost of profiles and settlement alone.
 *
 *   npm run bench -w @openlem/simulator [-- --json] [-- --days N] [-- --households N]
 *
 * It runs the compiled packages (`npm run build` first), as `openlem-sim` and a hub do: tsx's
 * module interop puts a getter behind every imported name, which costs a quarter of the
 * baseline and says nothing about the code.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
// the package as users run it: compiled by tsc (the bench script builds it first)
import { loadScenario, simulate } from "@openlem/simulator";

const { values } = parseArgs({
  options: {
    json: { type: "boolean" },
    days: { type: "string" },
    households: { type: "string" },
    workers: { type: "string" },
  },
});
const days = Number(values.days ?? 365);
const count = Number(values.households ?? 1000);
// as `openlem-sim` runs by default: a worker thread per core beside the main thread
const workers = Number(values.workers ?? availableParallelism() - 1);

function scenario(flexible: boolean, forecastError = false) {
  const share = (p: number) => Math.round(count * p);
  const groups = flexible
    ? [
        {
          id: "battery",
          count: share(0.2),
          annualKwh: [2500, 4500],
          pvKwp: [3, 8],
          battery: { capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000 },
        },
        {
          id: "boiler",
          count: share(0.3),
          annualKwh: [2500, 4500],
          pvKwp: [3, 8],
          boiler: { volumeL: 200, heaterW: 3_000 },
        },
        { id: "plain", count: count - share(0.2) - share(0.3), annualKwh: [2500, 4500], pvKwp: [3, 8] },
      ]
    : [{ id: "plain", count, annualKwh: [2500, 4500], pvKwp: [3, 8] }];
  return loadScenario({
    name: "bench",
    seed: 7,
    timeZone: "Europe/Berlin",
    location: { latitude: 51, longitude: 10 },
    period: { from: "2025-01-01", days },
    market: { retailPrice: 0.3, feedInTariff: 0.08, priceFloor: 0, priceCap: 1 },
    bidding: { forecastError },
    households: groups,
  });
}

function run(label: string, flexible: boolean, variant: "conventional" | "local", forecastError = false) {
  const loaded = scenario(flexible, forecastError);
  const t0 = performance.now();
  let lastPct = -1;
  const r = simulate(loaded, variant, {
    workers,
    onProgress: (done, total) => {
      const pct = Math.floor((done / total) * 100);
      if (!values.json && process.stderr.isTTY && pct !== lastPct) {
        lastPct = pct;
        process.stderr.write(`\r${label}: ${pct} %`);
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (!values.json && process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  const householdSlots = r.series.startMs.length * count;
  return { label, seconds, householdSlotsPerSecond: householdSlots / seconds, selfSufficiency: r.kpis.selfSufficiency };
}

const baseline = run("baseline: load and PV, utility only", false, "conventional");
const full = run("1,000 households, 20 % batteries, 30 % boilers, local market", true, "local");
// households bidding their own forecasts: a history forecast a day for every household
const forecasting = run("the same, households bid their forecasts (forecast error)", true, "local", true);
const ratio = full.householdSlotsPerSecond / baseline.householdSlotsPerSecond;
if (values.json) {
  console.log(JSON.stringify({ days, households: count, baseline, full, forecasting, ratio }));
} else {
  for (const x of [baseline, full, forecasting])
    console.log(
      `${x.label.padEnd(64)} ${x.seconds.toFixed(1).padStart(6)} s  ${Math.round(x.householdSlotsPerSecond).toLocaleString("en").padStart(10)} household-slots/s`,
    );
  console.log(`ratio (full / baseline throughput): ${ratio.toFixed(2)}; ${days} days, ${count} households`);
}
