import { addMoney, moneyOf } from "@openlem/protocol";
import type { EngineFill, TariffTicks } from "./types.js";

/** One electricity slot to settle, as columns: the cleared book's rows and every participant's meters. */
export interface SlotColumns {
  /** Rows of the cleared book (as in `BookColumns`). */
  n: number;
  isBuy: Uint8Array;
  participant: Int32Array;
  participants: number;
  /** Per row: energy traded locally, its value (money units: the sum of price × Wh of its trades) and energy traded with the utility. */
  local: Float64Array;
  localValue: Float64Array;
  utility: Float64Array;
  /** Per participant: what its meters measured in the slot. Every participant is metered (zero when idle). */
  importWh: Float64Array;
  exportWh: Float64Array;
  tariff: TariffTicks;
}

/** What `settle` books for a slot, per participant and in the totals the KPIs take, without a ledger line per booking. */
export interface SlotSettlement {
  /** Per participant: what it pays in the slot, money units (< 0: it receives). Grid fees included. */
  amount: Float64Array;
  /** The participants' amounts together: what the community paid. */
  paid: number;
  /** Energy bought locally; energy bought at all (locally, from the utility and as deviation). */
  localBoughtWh: number;
  boughtWh: number;
}

/**
 * The settlement of one slot (`settle`'s rules) from columns: local trades at their value,
 * grid fees on local purchases, utility trades at retail and feed-in, and then each
 * participant's metered net against its contracted net, a shortfall bought at retail and a
 * surplus credited at feed-in. Exact integers, as the ledger: the amounts equal the sum of
 * the participant's ledger lines. For long simulations, where a ledger line per booking
 * would be most of the work.
 */
export function settleColumns(s: SlotColumns): SlotSettlement {
  const { n, participants: P, tariff } = s;
  for (const [name, a] of [
    ["importWh", s.importWh],
    ["exportWh", s.exportWh],
  ] as const) {
    if (a.length < P) throw new RangeError(`column ${name} has ${a.length} participants, the slot has ${P}`);
  }
  for (const [name, a] of [
    ["isBuy", s.isBuy],
    ["participant", s.participant],
    ["local", s.local],
    ["localValue", s.localValue],
    ["utility", s.utility],
  ] as const) {
    if (a.length < n) throw new RangeError(`column ${name} has ${a.length} rows, the book has ${n}`);
  }
  const amount = new Float64Array(P);
  const contracted = new Float64Array(P);
  let localBoughtWh = 0;
  let boughtWh = 0;
  for (let k = 0; k < n; k++) {
    const p = s.participant[k] as number;
    if (p < 0 || p >= P) throw new RangeError(`participant[${k}] = ${p} is outside 0..${P - 1}`);
    const local = s.local[k] as number;
    const utility = s.utility[k] as number;
    if (local === 0 && utility === 0) continue;
    let a = amount[p] as number;
    if (s.isBuy[k] === 1) {
      contracted[p] = (contracted[p] as number) + local + utility;
      a = addMoney(a, s.localValue[k] as number);
      if (tariff.fee !== 0) a = addMoney(a, moneyOf(tariff.fee, local));
      a = addMoney(a, moneyOf(tariff.retail, utility));
      localBoughtWh += local;
      boughtWh += local + utility;
    } else {
      contracted[p] = (contracted[p] as number) - local - utility;
      a = addMoney(a, -(s.localValue[k] as number));
      a = addMoney(a, -moneyOf(tariff.feedIn, utility));
    }
    amount[p] = a;
  }
  let paid = 0;
  for (let p = 0; p < P; p++) {
    const deviation = (s.importWh[p] as number) - (s.exportWh[p] as number) - (contracted[p] as number);
    if (deviation > 0) {
      amount[p] = addMoney(amount[p] as number, moneyOf(tariff.retail, deviation));
      boughtWh += deviation;
    } else if (deviation < 0) {
      amount[p] = addMoney(amount[p] as number, -moneyOf(tariff.feedIn, -deviation));
    }
    paid = addMoney(paid, amount[p] as number);
  }
  return { amount, paid, localBoughtWh, boughtWh };
}

/**
 * A clearing's fills as the per-row columns `settleColumns` takes, for mechanisms that clear
 * on order objects (per-source, pay-as-bid); `rowOf` gives the row of a fill's order step.
 */
export function fillColumns(
  fills: readonly EngineFill[],
  n: number,
  rowOf: (f: EngineFill) => number,
): Pick<SlotColumns, "local" | "localValue" | "utility"> {
  const local = new Float64Array(n);
  const localValue = new Float64Array(n);
  const utility = new Float64Array(n);
  for (const f of fills) {
    const k = rowOf(f);
    if (!(k >= 0 && k < n)) throw new RangeError(`fill of order ${f.orderId} maps to row ${k}, outside 0..${n - 1}`);
    if (f.counterparty === "utility") utility[k] = (utility[k] as number) + f.energyWh;
    else {
      local[k] = (local[k] as number) + f.energyWh;
      localValue[k] = addMoney(localValue[k] as number, moneyOf(f.priceTicks, f.energyWh));
    }
  }
  return { local, localValue, utility };
}
