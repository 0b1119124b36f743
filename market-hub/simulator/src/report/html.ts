import { HOUR_MS } from "@openlem/protocol";
import type { VariantResult } from "../run.js";
import type { LoadedScenario } from "../scenario.js";
import { toJson } from "./summary.js";
import { barChart, type LineSeries, lineChart } from "./svg.js";

const COLORS = ["#607d8b", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);

function hhmm(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    ms,
  );
}

/** The self-contained HTML report: KPIs, prices over the day, the energy profile, bills per household. */
export function toHtml(loaded: LoadedScenario, results: readonly VariantResult[]): string {
  const { scenario, market, households } = loaded;
  const first = results[0];
  if (!first) throw new Error("no results to report");
  const s0 = first.series;
  const slotsPerDay = Math.round(1440 / market.slotMinutes);
  const days = Math.floor(s0.startMs.length / slotsPerDay);
  // the sunniest day of the run (the most community generation)
  let sunny = 0;
  let best = -1;
  for (let d = 0; d < days; d++) {
    let g = 0;
    for (let q = 0; q < slotsPerDay; q++) g += s0.generationWh[d * slotsPerDay + q] as number;
    if (g > best) {
      best = g;
      sunny = d;
    }
  }
  const dayLabels = Array.from({ length: slotsPerDay }, (_, q) =>
    hhmm((s0.startMs[sunny * slotsPerDay + q] as number) || 0, scenario.timeZone),
  );
  const trading = results.filter((r) => r.variant !== "conventional");
  const tariffLines = (len: number): LineSeries[] => [
    { name: "retail", color: "#e53935", values: new Array(len).fill(market.retailPrice * 100), dashed: true },
    { name: "feed-in", color: "#8d6e63", values: new Array(len).fill(market.feedInTariff * 100), dashed: true },
  ];
  const sunnyDate = new Date((s0.startMs[sunny * slotsPerDay] as number) + 12 * HOUR_MS).toISOString().slice(0, 10);
  const priceDay = lineChart({
    title: `Local price over the sunniest day (${sunnyDate}) against retail and feed-in`,
    xLabels: dayLabels,
    yLabel: "ct/kWh",
    yMin: 0,
    series: [
      ...trading.map((r, i) => ({
        name: r.name,
        color: COLORS[(i + 1) % COLORS.length] as string,
        values: Array.from(
          { length: slotsPerDay },
          (_, q) => (r.series.price[sunny * slotsPerDay + q] as number) * 100,
        ),
      })),
      ...tariffLines(slotsPerDay),
    ],
  });
  const priceHour = lineChart({
    title: "Average local price by hour over the whole run",
    xLabels: Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`),
    yLabel: "ct/kWh",
    yMin: 0,
    series: [
      ...trading.map((r, i) => ({
        name: r.name,
        color: COLORS[(i + 1) % COLORS.length] as string,
        values: r.priceByHour.map((p) => (p === null ? Number.NaN : p * 100)),
      })),
      ...tariffLines(24),
    ],
  });
  const last = results[results.length - 1] ?? first;
  const avgDay = (arr: Float64Array) =>
    Array.from({ length: slotsPerDay }, (_, q) => {
      let sum = 0;
      for (let d = 0; d < days; d++) sum += arr[d * slotsPerDay + q] as number;
      return sum / Math.max(1, days) / (market.slotMinutes / 60) / 1000; // average kW
    });
  const energy = lineChart({
    title: `Community energy profile, average day (${last.name})`,
    xLabels: dayLabels,
    yLabel: "kW",
    series: [
      { name: "demand", color: "#e53935", values: avgDay(last.series.demandWh) },
      { name: "generation", color: "#fdd835", values: avgDay(last.series.generationWh) },
      { name: "grid import", color: "#1e88e5", values: avgDay(last.series.importWh) },
      { name: "grid export", color: "#43a047", values: avgDay(last.series.exportWh) },
      ...(last.others.length && last.series.batteryNetWh.some((x) => x !== 0)
        ? [{ name: "battery charge (+)", color: "#8e24aa", values: avgDay(last.series.batteryNetWh), dashed: true }]
        : []),
    ],
  });
  const { scenarios: json, planningMargin: margin } = toJson(results, loaded.scenario.communalBattery?.id);
  const ref = loaded.scenario.reference;
  const bills = barChart({
    title: `Bill per household (${market.currency}; negative: the household earned)`,
    labels: households.map((h) => h.id),
    yLabel: market.currency,
    series: json.map((j, i) => ({
      name: j.name,
      color: COLORS[i % COLORS.length] as string,
      values: j.households.map((h) => h.billEur),
    })),
  });
  const kpiRows = [
    ["self-sufficiency (behind the meter)", ...json.map((j) => pct(j.selfSufficiency))],
    ["self-sufficiency (net metered)", ...json.map((j) => pct(j.selfSufficiencyNetMetered))],
    ...(loaded.scenario.reference
      ? [
          [
            `${loaded.scenario.reference.name} (net metered)`,
            ...json.map((j) => {
              const v = loaded.scenario.reference?.selfSufficiency[j.variant as "local"];
              return v === undefined ? "" : pct(v);
            }),
          ],
        ]
      : []),
    ["self-consumption", ...json.map((j) => pct(j.selfConsumption))],
    ["local trade share", ...json.map((j) => pct(j.localTradeShare))],
    ["peak import", ...json.map((j) => `${(j.peakImportW / 1000).toFixed(1)} kW`)],
    [`households' bills (${market.currency})`, ...json.map((j) => j.billEur.toFixed(2))],
    [
      `savings vs conventional (${market.currency})`,
      ...json.map((j) => (j.savingsEur === null ? "" : j.savingsEur.toFixed(2))),
    ],
    [`community cost (${market.currency})`, ...json.map((j) => j.communityCostEur.toFixed(2))],
    [
      "local price, energy to spare (ct/kWh)",
      ...json.map((j) => (j.surplusPrice === null ? "" : (j.surplusPrice * 100).toFixed(1))),
    ],
    ...(ref && Object.keys(ref.surplusPrice).length
      ? [
          [
            ref.name,
            ...json.map((j) => {
              const v = ref.surplusPrice[j.variant as "local"];
              return v === undefined ? "" : `about ${(v * 100).toFixed(0)}`;
            }),
          ],
        ]
      : []),
  ];
  const points = (x: number | null) => (x === null ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(1)} points`);
  const marginText = margin
    ? `Planners against ${margin.against} (${margin.planned} against ${margin.against}, the same community): self-sufficiency ` +
      `${points(margin.selfSufficiencyPointsNetMetered)} net metered and ${points(margin.selfSufficiencyPoints)} behind the meter; ` +
      `the community pays ${margin.communityCostSaving === null ? "n/a" : `${(margin.communityCostSaving * 100).toFixed(1)} %`} ` +
      `less (${margin.communityCostSavingEur.toFixed(2)} ${market.currency}).`
    : "";
  const safety = last.safety;
  const safetyText = [
    safety.minTankC !== null
      ? `tank temperature stayed between ${safety.minTankC.toFixed(1)} and ${safety.maxTankC?.toFixed(1)} °C`
      : "",
    safety.longestWithoutLegionellaDays !== null
      ? `longest stretch without an anti-legionella heat: ${safety.longestWithoutLegionellaDays.toFixed(1)} days`
      : "",
    safety.minSocShare !== null
      ? `battery state of charge stayed between ${(safety.minSocShare * 100).toFixed(1)} and ${((safety.maxSocShare ?? 0) * 100).toFixed(1)} %`
      : "",
    safety.evSessions ? `EV targets missed: ${safety.evTargetsMissed} of ${safety.evSessions}` : "",
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(scenario.name)} — OpenLEM simulation</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.35rem .8rem;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}section{margin:2rem 0}.note{color:#555}
</style></head><body>
<h1>${esc(scenario.name)}</h1>
<p>${esc(scenario.description ?? "")}</p>
<p class="note">${households.length} households, ${scenario.period.days} days from ${scenario.period.from} (${esc(scenario.timeZone)}),
${market.slotMinutes}-minute slots, ${market.mechanism} clearing; utility: retail ${market.retailPrice}, feed-in ${market.feedInTariff} ${market.currency}/kWh; seed ${scenario.seed}.</p>
<section><h2>Key figures</h2><table><thead><tr><th></th>${json.map((j) => `<th>${esc(j.name)}</th>`).join("")}</tr></thead>
<tbody>${kpiRows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>
${marginText ? `<p>${esc(marginText)}</p>` : ""}
${safetyText.length ? `<p class="note">Safety layer (${esc(last.name)}): ${esc(safetyText.join("; "))}.</p>` : ""}</section>
<section>${priceDay}</section>
<section>${priceHour}</section>
<section>${energy}</section>
<section>${bills}</section>
<p class="note">Written by openlem-sim. Every figure is reproducible from the scenario file and its seed.</p>
</body></html>
`;
}
