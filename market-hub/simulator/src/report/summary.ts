import { toMinorUnits } from "@openlem/protocol";
import type { VariantResult } from "../run.js";
import type { LoadedScenario } from "../scenario.js";

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
  /** Average local price by local hour (currency/kWh), null where nothing traded locally. */
  priceByHour: (number | null)[];
  households: { id: string; billEur: number; savingsEur: number | null }[];
  /** Plants and the communal battery: what they earned (negative bill), and the energy they moved. */
  others: { id: string; billEur: number; importKwh: number; exportKwh: number }[];
}

const eur = (units: number) => toMinorUnits(units) / 100;

export function toJson(results: readonly VariantResult[]): { scenarios: JsonScenario[] } {
  const base = results.find((r) => r.variant === "conventional");
  const baseBill = new Map(base?.households.map((h) => [h.id, h.bill]));
  return {
    scenarios: results.map((r) => {
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
        priceByHour: r.priceByHour,
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
    }),
  };
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);
const money = (x: number | null) => (x === null ? "" : x.toFixed(2));
const ct = (p: number | null) => (p === null ? "  -  " : (p * 100).toFixed(1).padStart(5));

/** The terminal table. */
export function toTable(loaded: LoadedScenario, results: readonly VariantResult[]): string {
  const { scenario, market, households } = loaded;
  const json = toJson(results).scenarios;
  const w = 17;
  const head = (label: string) => label.padEnd(38);
  const row = (label: string, cells: string[]) => head(label) + cells.map((c) => c.padStart(w)).join("");
  const out: string[] = [];
  out.push(
    `${scenario.name}: ${households.length} households, ${scenario.period.days} days from ${scenario.period.from}, ` +
      `${market.slotMinutes}-minute slots, ${market.mechanism} clearing, retail ${market.retailPrice} / feed-in ${market.feedInTariff} ${market.currency}/kWh`,
  );
  out.push("");
  out.push(
    row(
      "",
      json.map((j) => j.variant),
    ),
  );
  out.push(
    row(
      "self-sufficiency (behind the meter)",
      json.map((j) => pct(j.selfSufficiency)),
    ),
  );
  out.push(
    row(
      "self-sufficiency (net metered)",
      json.map((j) => pct(j.selfSufficiencyNetMetered)),
    ),
  );
  const ref = scenario.reference;
  if (ref)
    out.push(
      row(
        `  ${ref.name} (net metered)`,
        json.map((j) => {
          const v = ref.selfSufficiency[j.variant as keyof typeof ref.selfSufficiency];
          return v === undefined ? "" : pct(v);
        }),
      ),
    );
  out.push(
    row(
      "self-consumption",
      json.map((j) => pct(j.selfConsumption)),
    ),
  );
  out.push(
    row(
      "local trade share",
      json.map((j) => pct(j.localTradeShare)),
    ),
  );
  out.push(
    row(
      "peak import (kW)",
      json.map((j) => (j.peakImportW / 1000).toFixed(1)),
    ),
  );
  out.push(
    row(
      `households' bills (${market.currency})`,
      json.map((j) => money(j.billEur)),
    ),
  );
  out.push(
    row(
      `savings vs conventional (${market.currency})`,
      json.map((j) => money(j.savingsEur)),
    ),
  );
  for (const r of results)
    for (const o of r.others)
      out.push(
        row(
          `${o.id} earned (${market.currency})`,
          results.map((x) => (x === r ? money(-o.bill / 1e8) : "")),
        ),
      );
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
