import type { Statement } from "@openlem/protocol";
import { statementTotals } from "@openlem/protocol/statement-totals";
import type { HomeAssistant } from "../../shared/hass.js";
import { numberOf } from "../../shared/hass.js";

export interface EnergyRow {
  key: "boughtLocal" | "boughtGrid" | "ownPv" | "soldLocal" | "soldGrid";
  wh: number | null;
  /** Energy into the household (+) or out of it (−), for the bar's direction. */
  direction: 1 | -1;
}

export interface EnergyView {
  rows: EnergyRow[];
  bill: number | null;
  savings: number | null;
}

export interface EnergyEntities {
  bought_local: string;
  bought_grid: string;
  sold_local: string;
  sold_grid: string;
  cost: string;
  savings: string;
  pv?: string | undefined;
}

/** Today, from the household's entities (Wh and currency). */
export function energyFromEntities(hass: HomeAssistant, e: EnergyEntities): EnergyView {
  return {
    rows: [
      { key: "boughtLocal", wh: numberOf(hass, e.bought_local), direction: 1 },
      { key: "boughtGrid", wh: numberOf(hass, e.bought_grid), direction: 1 },
      { key: "ownPv", wh: e.pv ? pvWh(hass, e.pv) : null, direction: 1 },
      { key: "soldLocal", wh: numberOf(hass, e.sold_local), direction: -1 },
      { key: "soldGrid", wh: numberOf(hass, e.sold_grid), direction: -1 },
    ],
    bill: numberOf(hass, e.cost),
    savings: numberOf(hass, e.savings),
  };
}

/** A PV energy sensor in kWh or Wh (its unit_of_measurement says which). */
function pvWh(hass: HomeAssistant, entityId: string): number | null {
  const v = numberOf(hass, entityId);
  if (v === null) return null;
  return hass.states[entityId]?.attributes.unit_of_measurement === "kWh" ? Math.round(v * 1000) : v;
}

/** The parts of the hub's statement the card shows. */
export interface StatementLike {
  lines: Pick<Statement["lines"][number], "kind" | "energyWh">[];
  total: Statement["total"];
  savings: Statement["savings"];
}

/** A week or a month, from the hub's statement: energies by line kind, the bill and the savings. */
export function energyFromStatement(s: StatementLike): EnergyView {
  const t = statementTotals(s);
  return {
    rows: [
      { key: "boughtLocal", wh: t.boughtLocalWh, direction: 1 },
      { key: "boughtGrid", wh: t.boughtGridWh, direction: 1 },
      { key: "ownPv", wh: null, direction: 1 },
      { key: "soldLocal", wh: t.soldLocalWh, direction: -1 },
      { key: "soldGrid", wh: t.soldGridWh, direction: -1 },
    ],
    bill: Number(s.total),
    savings: Number(s.savings),
  };
}

/** Wh as a short text: 850 Wh, 12.4 kWh, 1.2 MWh. */
export function formatEnergy(wh: number | null, lang: string): string {
  if (wh === null) return "–";
  const f = (v: number, d: number) => v.toLocaleString(lang, { maximumFractionDigits: d, minimumFractionDigits: d });
  if (Math.abs(wh) < 1000) return `${f(wh, 0)} Wh`;
  if (Math.abs(wh) < 1_000_000) return `${f(wh / 1000, 1)} kWh`;
  return `${f(wh / 1_000_000, 2)} MWh`;
}

export function formatMoney(v: number | null, currency: string, lang: string): string {
  if (v === null || !Number.isFinite(v)) return "–";
  // a credit too small for a cent is no credit: "-€0.00" would say otherwise
  const cents = Math.round(v * 100) / 100;
  return (cents === 0 ? 0 : cents).toLocaleString(lang, { style: "currency", currency });
}
