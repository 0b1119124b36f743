import {
  addMoney,
  type Commodity,
  formatMoney,
  type Period,
  roundPartsToMinor,
  type Statement,
  type StatementLine,
  type StatementLineKind,
  storedCommunityId,
  storedHouseholdId,
  ticksToPrice,
  toMinorUnits,
} from "@openlem/protocol";
import type { LedgerLine } from "./settlement.js";

const KIND_ORDER: StatementLineKind[] = [
  "local-buy",
  "grid-fee",
  "utility-buy",
  "deviation-buy",
  "local-sell",
  "utility-sell",
  "deviation-sell",
];

export interface StatementInput {
  communityId: string;
  householdId: string;
  currency: string;
  /** Digits of the currency's minor unit (2 for EUR). */
  minorDigits?: number;
  period: Period;
  /** Ledger lines of the participant within the period (other accounts are ignored). */
  lines: readonly LedgerLine[];
  /** The utility-only bill for the same metered energy (see utilityOnlyBill). */
  utilityOnly: number;
}

/**
 * A participant's statement for a period: lines summed per kind and commodity, the exact
 * total, and amounts rounded to the minor unit so that the printed lines add up to the
 * printed total (largest-remainder rounding; the total rounds half to even).
 */
export function buildStatement(input: StatementInput): Statement {
  const sums = new Map<string, { kind: StatementLineKind; commodity: Commodity; energyWh: number; amount: number }>();
  for (const l of input.lines) {
    if (l.account !== input.householdId) continue;
    const k = `${l.kind}|${l.commodity}`;
    const s = sums.get(k) ?? { kind: l.kind, commodity: l.commodity, energyWh: 0, amount: 0 };
    s.energyWh += l.energyWh;
    s.amount = addMoney(s.amount, l.amount);
    sums.set(k, s);
  }
  const rows = [...sums.values()].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.commodity.localeCompare(b.commodity),
  );
  const total = rows.reduce((s, r) => addMoney(s, r.amount), 0);
  const minorDigits = input.minorDigits ?? 2;
  const lines: StatementLine[] = rows.map((r) => ({
    account: storedHouseholdId(input.householdId),
    kind: r.kind,
    commodity: r.commodity,
    energyWh: r.energyWh,
    averagePrice: r.energyWh > 0 ? ticksToPrice(Math.round(Math.abs(r.amount) / r.energyWh)) : null,
    amount: formatMoney(r.amount),
  }));
  return {
    communityId: storedCommunityId(input.communityId),
    householdId: storedHouseholdId(input.householdId),
    currency: input.currency,
    period: { kind: input.period.kind, start: input.period.start, from: input.period.from, to: input.period.to },
    lines,
    total: formatMoney(total),
    totalMinor: toMinorUnits(total, minorDigits),
    linesMinor: roundPartsToMinor(
      rows.map((r) => r.amount),
      minorDigits,
    ),
    utilityOnlyTotal: formatMoney(input.utilityOnly),
    savings: formatMoney(input.utilityOnly - total),
  };
}
