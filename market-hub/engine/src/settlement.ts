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
  householdId: string;
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
  unmetered: { householdId: string; slot: string; commodity: Commodity }[];
  /** Deviations in commodities the utility does not trade (no tariff): energy, not booked. */
  unsettledDeviations: { householdId: string; slot: string; commodity: Commodity; deviationWh: number }[];
}

interface Contract {
  householdId: string;
  slot: string;
  commodity: Commodity;
  netWh: number;
  metered: boolean;
}

function line(slot: string, f: EngineFill, account: string, kind: StatementLineKind, amount: number): LedgerLine {
  return { account, slot, commodity: f.commodity, kind, energyWh: f.energyWh, amount };
}

/** Contracts by slot, then by participant and commodity: short keys, cheap to hash. */
class Contracts {
  private readonly bySlot = new Map<string, Map<string, Contract>>();

  private static key(householdId: string, commodity: Commodity): string {
    return commodity === "electricity" ? householdId : `${householdId}\u0000${commodity}`;
  }

  get(householdId: string, slot: string, commodity: Commodity): Contract | undefined {
    return this.bySlot.get(slot)?.get(Contracts.key(householdId, commodity));
  }

  add(householdId: string, slot: string, commodity: Commodity, netWh: number): void {
    let inner = this.bySlot.get(slot);
    if (!inner) {
      inner = new Map();
      this.bySlot.set(slot, inner);
    }
    const k = Contracts.key(householdId, commodity);
    const c = inner.get(k);
    if (c) c.netWh += netWh;
    else inner.set(k, { householdId, slot, commodity, netWh, metered: false });
  }

  *all(): Iterable<Contract> {
    for (const inner of this.bySlot.values()) yield* inner.values();
  }
}

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
  const contracted = new Contracts();
  for (const { slot, fills } of input.fills) {
    for (const f of fills) {
      contracted.add(f.householdId, slot, f.commodity, f.side === "buy" ? f.energyWh : -f.energyWh);
      const value = moneyOf(f.priceTicks, f.energyWh);
      if (f.counterparty === "utility") {
        const kind = f.side === "buy" ? "utility-buy" : "utility-sell";
        const sign = f.side === "buy" ? 1 : -1;
        lines.push(line(slot, f, f.householdId, kind, sign * value));
        lines.push(line(slot, f, UTILITY_ACCOUNT, kind, -sign * value));
        continue;
      }
      if (f.side === "buy") {
        lines.push(line(slot, f, f.householdId, "local-buy", value));
        if (f.gridFeeTicks !== 0) {
          const fee = moneyOf(f.gridFeeTicks, f.energyWh);
          lines.push(line(slot, f, f.householdId, "grid-fee", fee));
          lines.push(line(slot, f, GRID_ACCOUNT, "grid-fee", -fee));
        }
      } else {
        lines.push(line(slot, f, f.householdId, "local-sell", -value));
      }
    }
  }
  const unmetered: SettlementOutcome["unmetered"] = [];
  const unsettledDeviations: SettlementOutcome["unsettledDeviations"] = [];
  for (const m of input.metered) {
    const c = contracted.get(m.householdId, m.slot, m.commodity);
    if (c) c.metered = true;
    const deviation = m.importWh - m.exportWh - (c?.netWh ?? 0);
    if (deviation === 0) continue;
    const t = input.tariff(m.commodity);
    if (!t) {
      unsettledDeviations.push({
        householdId: m.householdId,
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
    lines.push({ account: m.householdId, slot: m.slot, commodity: m.commodity, kind, energyWh, amount });
    lines.push({ account: UTILITY_ACCOUNT, slot: m.slot, commodity: m.commodity, kind, energyWh, amount: -amount });
  }
  for (const c of contracted.all()) {
    if (!c.metered) unmetered.push({ householdId: c.householdId, slot: c.slot, commodity: c.commodity });
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
