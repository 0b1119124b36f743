import type { Commodity, StatementLineKind } from "@openlem/protocol";
import { addMoney, moneyOf } from "@openlem/protocol";
import type { EngineFill, TariffTicks } from "./types.js";

export const UTILITY_ACCOUNT = "@utility";
export const GRID_ACCOUNT = "@grid";

/** One booking. amount > 0: the account pays; amount < 0: it receives. Money units (10^-8). */
export interface LedgerLine {
  account: string;
  slot: string;
  commodity: Commodity;
  kind: StatementLineKind;
  energyWh: number;
  amount: number;
}

/** What a participant's meters measured in one slot (Wh, from register differences). */
export interface MeteredSlot {
  participantId: string;
  slot: string;
  commodity: Commodity;
  importWh: number;
  exportWh: number;
}

export interface SlotFills {
  slot: string;
  fills: readonly EngineFill[];
}

export interface SettlementInput {
  fills: readonly SlotFills[];
  metered: readonly MeteredSlot[];
  tariff: (commodity: Commodity) => TariffTicks | null;
}

export interface SettlementOutcome {
  lines: LedgerLine[];
  /** Participant-slots that traded but have no metered energy yet: no deviation booked. */
  unmetered: { participantId: string; slot: string; commodity: Commodity }[];
  /** Deviations in commodities the utility does not trade (no tariff): energy, not booked. */
  unsettledDeviations: { participantId: string; slot: string; commodity: Commodity; deviationWh: number }[];
}

const key = (p: string, slot: string, c: Commodity) => `${p}\u0000${slot}\u0000${c}`;

/**
 * Double-entry settlement. Every fill books the participant's line and its counterpart:
 * local trades between buyers and sellers (they cancel out because a local trade's price
 * is the same on both sides), grid fees to the grid operator, utility trades to the
 * utility. Then metered energy is reconciled against the contracted net position per
 * participant and slot: a shortfall (metered net import above contracted) is bought from
 * the utility at retail, a surplus is credited at the feed-in tariff. Amounts are exact
 * integers, so the lines of all accounts add up to exactly zero.
 */
export function settle(input: SettlementInput): SettlementOutcome {
  const lines: LedgerLine[] = [];
  const contracted = new Map<string, { participantId: string; slot: string; commodity: Commodity; netWh: number }>();
  for (const { slot, fills } of input.fills) {
    for (const f of fills) {
      const k = key(f.participantId, slot, f.commodity);
      const c = contracted.get(k) ?? { participantId: f.participantId, slot, commodity: f.commodity, netWh: 0 };
      c.netWh += f.side === "buy" ? f.energyWh : -f.energyWh;
      contracted.set(k, c);
      const value = moneyOf(f.priceTicks, f.energyWh);
      const base = { slot, commodity: f.commodity, energyWh: f.energyWh };
      if (f.counterparty === "utility") {
        const kind = f.side === "buy" ? "utility-buy" : "utility-sell";
        const sign = f.side === "buy" ? 1 : -1;
        lines.push({ ...base, account: f.participantId, kind, amount: sign * value });
        lines.push({ ...base, account: UTILITY_ACCOUNT, kind, amount: -sign * value });
        continue;
      }
      if (f.side === "buy") {
        lines.push({ ...base, account: f.participantId, kind: "local-buy", amount: value });
        if (f.gridFeeTicks !== 0) {
          const fee = moneyOf(f.gridFeeTicks, f.energyWh);
          lines.push({ ...base, account: f.participantId, kind: "grid-fee", amount: fee });
          lines.push({ ...base, account: GRID_ACCOUNT, kind: "grid-fee", amount: -fee });
        }
      } else {
        lines.push({ ...base, account: f.participantId, kind: "local-sell", amount: -value });
      }
    }
  }
  const unmetered: SettlementOutcome["unmetered"] = [];
  const unsettledDeviations: SettlementOutcome["unsettledDeviations"] = [];
  const metered = new Set<string>();
  for (const m of input.metered) {
    const k = key(m.participantId, m.slot, m.commodity);
    metered.add(k);
    const deviation = m.importWh - m.exportWh - (contracted.get(k)?.netWh ?? 0);
    if (deviation === 0) continue;
    const t = input.tariff(m.commodity);
    if (!t) {
      unsettledDeviations.push({
        participantId: m.participantId,
        slot: m.slot,
        commodity: m.commodity,
        deviationWh: deviation,
      });
      continue;
    }
    const short = deviation > 0;
    const energyWh = Math.abs(deviation);
    const amount = short ? moneyOf(t.retail, energyWh) : -moneyOf(t.feedIn, energyWh);
    const kind = short ? "deviation-buy" : "deviation-sell";
    const base = { slot: m.slot, commodity: m.commodity, energyWh, kind } as const;
    lines.push({ ...base, account: m.participantId, amount });
    lines.push({ ...base, account: UTILITY_ACCOUNT, amount: -amount });
  }
  for (const [k, c] of contracted) {
    if (!metered.has(k)) unmetered.push({ participantId: c.participantId, slot: c.slot, commodity: c.commodity });
  }
  return { lines, unmetered, unsettledDeviations };
}

/** Exact sum of amounts; the whole ledger sums to zero. */
export function ledgerTotal(lines: readonly LedgerLine[]): number {
  return lines.reduce((s, l) => addMoney(s, l.amount), 0);
}

/** What a participant would have paid with the utility alone: imports at retail, exports at feed-in. */
export function utilityOnlyBill(metered: readonly MeteredSlot[], tariff: (c: Commodity) => TariffTicks | null): number {
  let total = 0;
  for (const m of metered) {
    const t = tariff(m.commodity);
    if (!t) continue;
    total = addMoney(total, moneyOf(t.retail, m.importWh) - moneyOf(t.feedIn, m.exportWh));
  }
  return total;
}
