import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { UniformPricing } from "@openlem/protocol";
import { describe, expect, it } from "vitest";
import { type JsonScenario, parseScenarioYaml, simulate, toJson, toTable, type Variant } from "../src/index.js";

/**
 * The examples' READMEs give the figures of a year's run. They come from here: each table
 * cell and each figure in the sentences below is computed from the same run, and this fails
 * when the simulator and the README drift apart.
 */
const root = join(import.meta.dirname, "../../..");
const readme = (example: string) => readFileSync(join(root, "examples", example, "README.md"), "utf8");
const flat = (text: string) => text.replace(/\s+/g, " ");

function run(
  example: string,
  variants: Variant[],
  o: { pricing?: UniformPricing; period?: { from: string; days: number }; forecastError?: boolean } = {},
) {
  const loaded = parseScenarioYaml(readFileSync(join(root, "examples", example, "scenario.yaml"), "utf8"));
  if (o.pricing) loaded.market.uniformPricing = o.pricing;
  if (o.period) loaded.scenario.period = o.period;
  if (o.forecastError) loaded.scenario.bidding.forecastError = true;
  const results = variants.map((v) => simulate(loaded, v, { workers: 1 }));
  return {
    ...toJson(results, loaded.scenario.communalBattery?.id, loaded.scenario.reference),
    table: toTable(loaded, results),
  };
}

/** The rows of the first Markdown table after `heading`: label → cells. */
function table(markdown: string, heading: string): Map<string, string[]> {
  const from = markdown.indexOf(heading);
  expect(from, `the README has "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = markdown.slice(from).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const [label = "", ...cells] = line
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    rows.set(label, cells);
  }
  return rows;
}

const pct = (x: number | null) => (x === null ? "" : `${(x * 100).toFixed(1)} %`);
const eur = (x: number) => x.toFixed(2);
const thousands = (x: number) => Math.round(x).toLocaleString("en-US");
const thousands2 = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const bill = (s: JsonScenario, id: string) => s.households.find((h) => h.id === id)?.billEur ?? Number.NaN;
const earned = (s: JsonScenario, id: string) => {
  const o = s.others.find((x) => x.id === id);
  return o ? eur(-o.billEur) : "";
};

/** The Groene Mient year, every variant: run once for the example's README and the simulator's. */
let groeneMient: ReturnType<typeof run> | undefined;
const groeneMientYear = () => {
  groeneMient ??= run("groene-mient", ["conventional", "local", "local+battery", "d3a", "ramps"]);
  return groeneMient;
};

describe("examples/groene-mient/README.md", () => {
  const text = readme("groene-mient");
  const year = groeneMientYear();
  const [conventional, local, battery] = year.scenarios as [JsonScenario, JsonScenario, JsonScenario];
  const all = year.scenarios;

  it("the year's table", () => {
    const t = table(text, "## What it shows");
    const cells = (label: string) => t.get(label)?.slice(0, 5);
    expect(cells("self-sufficiency, net metered (the study's)")).toEqual(
      all.map((s) => pct(s.selfSufficiencyNetMetered)),
    );
    expect(cells("self-sufficiency, behind the meter")).toEqual(all.map((s) => pct(s.selfSufficiency)));
    expect(cells("local price when the houses have energy to spare")).toEqual(
      all.map((s) =>
        s.variant === "conventional" || s.surplusPrice === null ? "" : `${(s.surplusPrice * 100).toFixed(1)} ct`,
      ),
    );
    expect(cells("households' bills (EUR)")).toEqual(all.map((s) => eur(s.billEur)));
    expect(cells("community cost (EUR, with the battery's)")).toEqual(all.map((s) => eur(s.communityCostEur)));
    expect(cells("high-consumption household (EUR)")).toEqual(all.map((s) => eur(bill(s, "high-consumption"))));
    expect(cells("high-production household (EUR)")).toEqual(all.map((s) => eur(bill(s, "high-production"))));
    expect(cells("communal battery earned (EUR)")).toEqual(all.map((s) => earned(s, "community-battery")));
  });

  it("the planners' margin over D3A in a call auction, the battery's effect and the prosumers' savings", () => {
    const m = year.planningMargin;
    expect(m).toMatchObject({ planned: "local+battery", against: "d3a" });
    if (!m) return;
    expect(flat(text)).toContain(
      `auction): self-sufficiency +${m.selfSufficiencyPointsNetMetered?.toFixed(1)} points net metered ` +
        `(+${m.selfSufficiencyPoints?.toFixed(1)} behind the meter), the community pays ` +
        `${((m.communityCostSaving ?? 0) * 100).toFixed(1)} % less (${thousands(m.communityCostSavingEur)} EUR a year)`,
    );
    const points = ((battery.selfSufficiencyNetMetered ?? 0) - (local.selfSufficiencyNetMetered ?? 0)) * 100;
    expect(flat(text)).toContain(
      `+${points.toFixed(1)} points of net-metered self-sufficiency (${pct(local.selfSufficiencyNetMetered)} to ${pct(battery.selfSufficiencyNetMetered)})`,
    );
    // what a household pays less (or earns more) than with the utility alone
    const saved = (s: JsonScenario, id: string) => eur(bill(conventional, id) - bill(s, id));
    expect(flat(text)).toContain(
      `the high-consumption household ${saved(local, "high-consumption")} EUR less a year with the local market, ` +
        `${saved(battery, "high-consumption")} EUR with the battery; the high-production household earns ` +
        `${saved(local, "high-production")} EUR and ${saved(battery, "high-production")} EUR more`,
    );
  });

  it("the study's figures beside the year's days, and the summer alone", { timeout: 600_000 }, () => {
    const d = year.studyDays;
    expect(d?.local?.study).toBe(0.21);
    expect(d?.battery?.study).toBe(0.41);
    expect(flat(text)).toContain(
      `Day by day, ${d?.local?.daysReaching} of the ${d?.days} days reach the study's 21 % with the market alone, ` +
        `${d?.battery?.daysReaching} reach its 41 % with the battery, and ${d?.bothOnOneDay} reach both on the same day`,
    );
    const ct = (s: JsonScenario) => `${((s.surplusPrice ?? 0) * 100).toFixed(1)} ct`;
    expect(flat(text)).toContain(
      `When the houses have energy to spare the local price is ${ct(local)}/kWh without the battery`,
    );
    expect(flat(text)).toContain(`with the battery it is ${ct(battery)} (study: around 14 ct)`);
    expect(flat(text)).toContain(`${pct(local.selfSufficiencyNetMetered)} over the year against the study's 21 %`);
    expect(flat(text)).toContain(`${pct(battery.selfSufficiencyNetMetered)} against 41 %`);
    expect(flat(text)).toContain(`**Self-sufficiency behind the meter** (${pct(local.selfSufficiency)})`);
    const summer = run("groene-mient", ["local", "local+battery"], { period: { from: "2025-06-01", days: 92 } });
    const [sLocal, sBattery] = summer.scenarios as [JsonScenario, JsonScenario];
    expect(flat(text)).toContain(
      `June to August alone give ${pct(sLocal.selfSufficiencyNetMetered)} and ${pct(sBattery.selfSufficiencyNetMetered)}`,
    );
  });

  it("with forecast error: the deviations, what they cost, and the planners' margin", { timeout: 600_000 }, () => {
    const fe = run("groene-mient", ["conventional", "local", "local+battery", "d3a"], { forecastError: true });
    const [conv, alone] = fe.scenarios as [JsonScenario, JsonScenario];
    const m = fe.planningMargin;
    const battery = fe.scenarios[2] as JsonScenario;
    const d3a = fe.scenarios[3] as JsonScenario;
    const more = (s: JsonScenario) => s.households.map((h) => h.billEur - bill(conv, h.id)).filter((x) => x > 0);
    expect(flat(text)).toContain(
      `the meters differ from the trades by ${((alone.deviationKwh ?? 0) / 1000).toFixed(1)} MWh, settled at ` +
        `${thousands2(alone.deviationCostEur ?? 0)} EUR (most of it needs left unbid on purpose and bought at retail, ` +
        `as without the market): with the local market alone the households pay ${thousands2(alone.billEur)} EUR, ` +
        `${alone.billEur < conv.billEur ? "less" : "more"} than the ${thousands2(conv.billEur)} EUR with the utility ` +
        `alone, and ${more(alone).length} of the ${alone.households.length} pay more, at most ` +
        `${thousands2(Math.max(0, ...more(alone)))} EUR a year. With the battery they pay ${thousands2(battery.billEur)} EUR ` +
        `and ${more(battery).length} ${more(battery).length === 1 ? "pays" : "pay"} more. The planners' margin over D3A holds, ` +
        `+${m?.selfSufficiencyPointsNetMetered?.toFixed(1)} points net metered and a community cost ` +
        `${((m?.communityCostSaving ?? 0) * 100).toFixed(1)} % lower: D3A's households bid their point forecasts and ` +
        `pay ${thousands2(d3a.billEur)} EUR, ${d3a.billEur > conv.billEur ? "more" : "less"} than with the utility alone`,
    );
    expect(m?.against).toBe("d3a");
  });

  it("the pricing rules side by side", { timeout: 600_000 }, () => {
    const t = table(text, "## Pricing rules on the same year");
    const rules = [
      [local, battery],
      run("groene-mient", ["local", "local+battery"], { pricing: "mid-market" }).scenarios,
      run("groene-mient", ["local", "local+battery"], { pricing: "supply-demand-ratio" }).scenarios,
    ].flat() as JsonScenario[];
    // the utility-only year is the same whatever the rule
    const saved = (s: JsonScenario) => s.households.map((h) => bill(conventional, h.id) - h.billEur);
    const leastSaved = (s: JsonScenario) => eur(Math.min(...saved(s)));
    expect(t.get("traded slots priced inside (feed-in, retail)")).toEqual(rules.map((s) => pct(s.interiorPriceShare)));
    expect(t.get("sellers' share of the gain")).toEqual(rules.map((s) => pct(s.sellersGainShare)));
    expect(t.get("households' bills (EUR)")).toEqual(rules.map((s) => eur(s.billEur)));
    expect(t.get("community cost (EUR)")).toEqual(rules.map((s) => eur(s.communityCostEur)));
    // against the year with the utility alone: nobody pays more
    expect(t.get("least a household saved (EUR)")).toEqual(rules.map(leastSaved));
    for (const s of rules) for (const x of saved(s)) expect(x).toBeGreaterThanOrEqual(0);
    const [, , mid] = rules as [JsonScenario, JsonScenario, JsonScenario];
    expect(flat(text)).toContain(
      `${pct(mid.selfSufficiencyNetMetered)} net-metered self-sufficiency without the battery against ` +
        `${pct(local.selfSufficiencyNetMetered)} with the k-double auction`,
    );
    expect(flat(text)).toContain(
      `is that bid in ${pct(local.interiorPriceShare)} of the traded slots without the battery`,
    );
  });
});

describe("market-hub/simulator/README.md", () => {
  it("prints what the README shows for the Groene Mient year", { timeout: 600_000 }, () => {
    const text = readFileSync(join(root, "market-hub/simulator/README.md"), "utf8");
    const from = text.indexOf("prints (a year");
    const block = text.slice(text.indexOf("```\n", from) + 4, text.indexOf("...\n```", from));
    const printed = new Set(
      groeneMientYear()
        .table.split("\n")
        .map((l) => l.trimEnd()),
    );
    const shown = block
      .split("\n")
      .map((l) => l.trimEnd())
      .filter(Boolean);
    expect(shown.length).toBeGreaterThan(15);
    expect(shown.filter((l) => !printed.has(l))).toEqual([]);
  });
});

describe("examples/landau/README.md", () => {
  const text = readme("landau");
  const year = run("landau", ["conventional", "local"]);
  const both = year.scenarios;

  it("the year's table and the households' saving", () => {
    const t = table(text, "## What it shows");
    expect(t.get("self-sufficiency")).toEqual(both.map((s) => pct(s.selfSufficiency)));
    expect(t.get("self-consumption")).toEqual(both.map((s) => pct(s.selfConsumption)));
    expect(t.get("local trade share")).toEqual(both.map((s) => pct(s.localTradeShare)));
    expect(t.get("households' bills (EUR)")).toEqual(both.map((s) => eur(s.billEur)));
    expect(t.get("PV plant earned (EUR)")).toEqual(both.map((s) => earned(s, "pv-plant")));
    expect(t.get("CHP earned (EUR)")).toEqual(both.map((s) => earned(s, "chp")));
    const [conventional, local] = both as [JsonScenario, JsonScenario];
    const less = Math.round((1 - local.billEur / conventional.billEur) * 100);
    expect(flat(text)).toContain(`The households pay ${less} % less`);
  });

  it("the pricing rules side by side", () => {
    const t = table(text, "## Pricing rules on the same year");
    const [conventional, local] = both as [JsonScenario, JsonScenario];
    const rules = [
      local,
      run("landau", ["local"], { pricing: "mid-market" }).scenarios[0],
      run("landau", ["local"], { pricing: "supply-demand-ratio" }).scenarios[0],
    ] as JsonScenario[];
    const saved = (s: JsonScenario) => s.households.map((h) => bill(conventional, h.id) - h.billEur);
    expect(t.get("traded slots priced inside (feed-in, retail)")).toEqual(rules.map((s) => pct(s.interiorPriceShare)));
    expect(t.get("sellers' share of the gain")).toEqual(rules.map((s) => pct(s.sellersGainShare)));
    expect(t.get("deviations (kWh)")).toEqual(rules.map((s) => (s.deviationKwh ?? 0).toFixed(1)));
    expect(t.get("households' bills (EUR)")).toEqual(rules.map((s) => eur(s.billEur)));
    expect(t.get("least a household saved (EUR)")).toEqual(rules.map((s) => eur(Math.min(...saved(s)))));
    for (const s of rules) for (const x of saved(s)) expect(x).toBeGreaterThanOrEqual(0);
    const [k, mid, sdr] = rules as [JsonScenario, JsonScenario, JsonScenario];
    expect(flat(text)).toContain(
      `The k-double auction gives the sellers ${pct(k.sellersGainShare)} of it, the mid-market rate ` +
        `${pct(mid.sellersGainShare)} and the supply-demand ratio ${pct(sdr.sellersGainShare)}`,
    );
  });
});
