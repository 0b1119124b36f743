import { priceToTicks, toMinorUnits } from "@openlem/protocol";
import type { VariantResult } from "../run.js";
import type { LoadedScenario } from "../scenario.js";

/**
 * The study's figures beside the run's days: how many local days reach the study's net-metered
 * self-sufficiency with the market alone, with the battery, and both on the same day. The study
 * does not say over which period its figures were taken, so a whole year is not its period.
 */
export interface StudyDays {
  days: number;
  local: { study: number; daysReaching: number } | null;
  battery: { study: number; daysReaching: number } | null;
  bothOnOneDay: number | null;
}

export function studyDays(
  results: readonly VariantResult[],
  reference: { selfSufficiency: Partial<Record<string, number>> } | undefined,
): StudyDays | null {
  if (!reference) return null;
  const daily = (v: string) => results.find((r) => r.variant === v)?.dailySelfSufficiencyNetMetered;
  const reach = (v: string) => {
    const d = daily(v);
    const study = reference.selfSufficiency[v];
    return d && study !== undefined ? { d, study } : null;
  };
  const local = reach("local");
  const battery = reach("local+battery");
  const days = (local ?? battery)?.d.length ?? 0;
  const count = (x: { d: (number | null)[]; study: number }) => x.d.filter((v) => v !== null && v >= x.study).length;
  return {
    days,
    local: local ? { study: local.study, daysReaching: count(local) } : null,
    battery: battery ? { study: battery.study, daysReaching: count(battery) } : null,
    bothOnOneDay:
      local && battery
        ? local.d.filter((v, i) => v !== null && v >= local.study && (battery.d[i] ?? -1) >= battery.study).length
        : null,
  };
}

/** The `--json` shape: one entry per variant. */
export interface JsonScenario {
  name: string;
  variant: string;
  /** Behind the meter: a house's own PV use counts as met locally. */
  selfSufficiency: number | null;
  /** On net metered energy (grid import and export only), as studies with meter data define it. */
  selfSufficiencyNetMetered: number | null;
  selfConsumption: number | null;
  localTradeShare: number | null;
  peakImportW: number;
  demandKwh: number;
  generationKwh: number;
  /** What the community's households paid together, and saved against the conventional variant. */
  billEur: number;
  savingsEur: number | null;
  /**
   * What the community paid together: its households' bills and the communal battery's (its
   * earnings lower it); the figure planners and ramps are compared on.
   */
  communityCostEur: number;
  /** Average local price by local hour (currency/kWh), null where nothing traded locally. */
  priceByHour: (number | null)[];
  /** Average local price in the slots the households and plants had energy to spare (its sunny hours), currency/kWh. */
  surplusPrice: number | null;
  /**
   * What the households' meters read beyond what they traded (kWh, import and export
   * together), and what it came to at retail and feed-in (+ paid); null where not known.
   */
  deviationKwh: number | null;
  deviationCostEur: number | null;
  /** Of the slots that traded locally, the share whose price lies strictly inside (feed-in, retail). */
  interiorPriceShare: number | null;
  /**
   * The sellers' share of the gain from local trade (what a kWh traded locally saves against the
   * utility: retail less the local grid fee less feed-in); the buyers have the rest.
   */
  sellersGainShare: number | null;
  households: { id: string; billEur: number; savingsEur: number | null }[];
  /** Plants and the communal battery: what they earned (negative bill), and the energy they moved. */
  others: { id: string; billEur: number; importKwh: number; exportKwh: number }[];
}

const eur = (units: number) => toMinorUnits(units) / 100;

/**
 * How the local price splits the gain from trade, from the run's slots: the share of traded
 * slots priced strictly inside (feed-in, retail), and the sellers' share of the gain.
 */
export function gainSplit(r: VariantResult): { interiorPriceShare: number | null; sellersGainShare: number | null } {
  const retail = priceToTicks(r.retailPrice);
  const feedIn = priceToTicks(r.feedInTariff);
  const fee = priceToTicks(r.localGridFee);
  let traded = 0;
  let interior = 0;
  let sellers = 0;
  let gain = 0;
  const { price, localWh } = r.series;
  for (let t = 0; t < price.length; t++) {
    const q = localWh[t] as number;
    if (!(q > 0)) continue;
    const p = priceToTicks(price[t] as number);
    traded++;
    if (p > feedIn && p < retail) interior++;
    sellers += (p - feedIn) * q;
    gain += (retail - fee - feedIn) * q;
  }
  return {
    interiorPriceShare: traded > 0 ? interior / traded : null,
    sellersGainShare: gain > 0 ? sellers / gain : null,
  };
}

/**
 * Planners against a baseline without them on the same community: what planning gains. The
 * baseline is D3A's strategies in a call auction (the d3a variant: bids at the tariff, tanks on
 * thermostats, the battery at its limits), so the margin is the planning alone; the ramps
 * variant where a run has no d3a.
 */
export interface PlanningMargin {
  /** The planned variant compared (local+battery where the scenario has a battery, else local). */
  planned: string;
  /** The variant it is compared with. */
  against: string;
  /** Points of self-sufficiency planning adds (net metered, and behind the meter). */
  selfSufficiencyPointsNetMetered: number | null;
  selfSufficiencyPoints: number | null;
  /** How much less the community pays with planners, as a share of its cost without, and in money. */
  communityCostSaving: number | null;
  communityCostSavingEur: number;
}

export function planningMargin(scenarios: readonly JsonScenario[]): PlanningMargin | null {
  const base = scenarios.find((j) => j.variant === "d3a") ?? scenarios.find((j) => j.variant === "ramps");
  const planned = scenarios.find((j) => j.variant === "local+battery") ?? scenarios.find((j) => j.variant === "local");
  if (!base || !planned) return null;
  const points = (a: number | null, b: number | null) => (a === null || b === null ? null : (a - b) * 100);
  const saving = base.communityCostEur - planned.communityCostEur;
  return {
    planned: planned.variant,
    against: base.variant,
    selfSufficiencyPointsNetMetered: points(planned.selfSufficiencyNetMetered, base.selfSufficiencyNetMetered),
    selfSufficiencyPoints: points(planned.selfSufficiency, base.selfSufficiency),
    communityCostSaving: base.communityCostEur !== 0 ? saving / Math.abs(base.communityCostEur) : null,
    communityCostSavingEur: Math.round(saving * 100) / 100,
  };
}

/**
 * The `--json` document. `communalId` names the communal battery among a run's others (its
 * bill is the community's); the scenario's, where it has one.
 */
export function toJson(
  results: readonly VariantResult[],
  communalId = "community-battery",
  reference?: { selfSufficiency: Partial<Record<string, number>> },
): { scenarios: JsonScenario[]; planningMargin: PlanningMargin | null; studyDays: StudyDays | null } {
  const base = results.find((r) => r.variant === "conventional");
  const baseBill = new Map(base?.households.map((h) => [h.id, h.bill]));
  const scenarios = results.map((r): JsonScenario => {
    const total = r.households.reduce((s, h) => s + h.bill, 0);
    const baseTotal = base ? base.households.reduce((s, h) => s + h.bill, 0) : null;
    return {
      name: r.name,
      variant: r.variant,
      selfSufficiency: r.kpis.selfSufficiency,
      selfSufficiencyNetMetered: r.kpisNetMetered.selfSufficiency,
      selfConsumption: r.kpis.selfConsumption,
      localTradeShare: r.kpis.localTradeShare,
      peakImportW: r.kpis.peakImportW,
      demandKwh: r.kpis.demandWh / 1000,
      generationKwh: r.kpis.generationWh / 1000,
      billEur: eur(total),
      savingsEur: baseTotal === null ? null : eur(baseTotal - total),
      communityCostEur: eur(total + r.others.filter((o) => o.id === communalId).reduce((x, o) => x + o.bill, 0)),
      priceByHour: r.priceByHour,
      surplusPrice: r.surplusPrice,
      ...gainSplit(r),
      deviationKwh: r.deviation ? (r.deviation.importWh + r.deviation.exportWh) / 1000 : null,
      deviationCostEur: r.deviation ? eur(r.deviation.cost) : null,
      households: r.households.map((h) => {
        const b = baseBill.get(h.id);
        return { id: h.id, billEur: eur(h.bill), savingsEur: b === undefined ? null : eur(b - h.bill) };
      }),
      others: r.others.map((o) => ({
        id: o.id,
        billEur: eur(o.bill),
        importKwh: o.importWh / 1000,
        exportKwh: o.exportWh / 1000,
      })),
    };
  });
  return { scenarios, planningMargin: planningMargin(scenarios), studyDays: studyDays(results, reference) };
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);
const money = (x: number | null) => (x === null ? "" : x.toFixed(2));
const ct = (p: number | null) => (p === null ? "  -  " : (p * 100).toFixed(1).padStart(5));

/** The terminal table. */
export function toTable(loaded: LoadedScenario, results: readonly VariantResult[]): string {
  const { scenario, market, households } = loaded;
  const ref = scenario.reference;
  const {
    scenarios: json,
    planningMargin: margin,
    studyDays: days,
  } = toJson(results, scenario.communalBattery?.id, ref);
  const w = 17;
  const head = (label: string) => label.padEnd(38);
  const row = (label: string, cells: string[]) => head(label) + cells.map((c) => c.padStart(w)).join("");
  const out: string[] = [];
  /** One line of the table: a label and each variant's cell. */
  const line = (label: string, cell: (j: JsonScenario) => string) => out.push(row(label, json.map(cell)));
  out.push(
    `${scenario.name}: ${households.length} households, ${scenario.period.days} days from ${scenario.period.from}, ` +
      `${market.slotMinutes}-minute slots, ${market.mechanism} clearing, retail ${market.retailPrice} / feed-in ${market.feedInTariff} ${market.currency}/kWh`,
  );
  out.push("");
  line("", (j) => j.variant);
  line("self-sufficiency (behind the meter)", (j) => pct(j.selfSufficiency));
  line("self-sufficiency (net metered)", (j) => pct(j.selfSufficiencyNetMetered));
  if (ref)
    line(`  ${ref.name} (net metered)`, (j) => {
      const v = ref.selfSufficiency[j.variant as keyof typeof ref.selfSufficiency];
      return v === undefined ? "" : pct(v);
    });
  if (ref && days)
    line("  days at or above it", (j) => {
      const x = j.variant === "local" ? days.local : j.variant === "local+battery" ? days.battery : null;
      return x ? `${x.daysReaching} of ${days.days}` : "";
    });
  line("self-consumption", (j) => pct(j.selfConsumption));
  line("local trade share", (j) => pct(j.localTradeShare));
  line("peak import (kW)", (j) => (j.peakImportW / 1000).toFixed(1));
  line(`households' bills (${market.currency})`, (j) => money(j.billEur));
  line(`savings vs conventional (${market.currency})`, (j) => money(j.savingsEur));
  line(`community cost (${market.currency})`, (j) => money(j.communityCostEur));
  line("deviations (kWh)", (j) => (j.deviationKwh === null ? "" : j.deviationKwh.toFixed(1)));
  line(`deviations settled (${market.currency})`, (j) => money(j.deviationCostEur));
  line("traded slots priced inside the tariff", (j) => pct(j.interiorPriceShare));
  line("sellers' share of the gain", (j) => pct(j.sellersGainShare));
  line("local price, energy to spare (ct/kWh)", (j) =>
    j.surplusPrice === null ? "" : (j.surplusPrice * 100).toFixed(1),
  );
  if (ref && Object.keys(ref.surplusPrice).length)
    line(`  ${ref.name}`, (j) => {
      const v = ref.surplusPrice[j.variant as keyof typeof ref.surplusPrice];
      return v === undefined ? "" : `about ${(v * 100).toFixed(0)}`;
    });
  for (const r of results)
    for (const o of r.others)
      out.push(
        row(
          `${o.id} earned (${market.currency})`,
          results.map((x) => (x === r ? money(-o.bill / 1e8) : "")),
        ),
      );
  if (margin) {
    const pts = (x: number | null) => (x === null ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(1)} points`);
    out.push("");
    out.push(
      `planners against ${margin.against} (${margin.planned} vs ${margin.against}): self-sufficiency ${pts(margin.selfSufficiencyPointsNetMetered)} net metered, ` +
        `${pts(margin.selfSufficiencyPoints)} behind the meter; community cost ${margin.communityCostSaving === null ? "n/a" : `${(margin.communityCostSaving * 100).toFixed(1)} %`} ` +
        `lower (${money(margin.communityCostSavingEur)} ${market.currency})`,
    );
  }
  out.push("");
  out.push(`average local price by hour (ct/kWh; "-": no local trade in that hour)`);
  out.push(`${"hour".padEnd(28)}${Array.from({ length: 24 }, (_, h) => String(h).padStart(5)).join("")}`);
  for (const j of json) {
    if (j.priceByHour.every((p) => p === null)) continue;
    out.push(`${j.variant.padEnd(28)}${j.priceByHour.map(ct).join("")}`);
  }
  out.push("");
  const list = households.length <= 40 ? households : households.slice(0, 20);
  out.push(
    row(
      `household bills (${market.currency})`,
      json.map((j) => j.variant),
    ),
  );
  for (const h of list) {
    out.push(
      row(
        h.id,
        json.map((j) => money(j.households.find((x) => x.id === h.id)?.billEur ?? null)),
      ),
    );
  }
  if (list.length < households.length)
    out.push(`... and ${households.length - list.length} more (see --json or --report)`);
  return out.join("\n");
}
