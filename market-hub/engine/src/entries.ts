import type { Source } from "@openlem/protocol";
import type { BookOrder } from "./types.js";

const STEP_BITS = 256;

/**
 * The steps of a book flattened into parallel typed arrays, so that clearing a million
 * orders touches a few contiguous arrays instead of a million objects.
 */
export class Entries {
  readonly n: number;
  readonly order: Int32Array;
  readonly step: Int32Array;
  readonly isBuy: Uint8Array;
  /** The step's own limit price (ticks). */
  readonly limit: Float64Array;
  /** Unfilled energy (Wh); clearing rounds reduce it. */
  readonly remaining: Float64Array;
  /** seq x 256 + step: time priority and the deterministic tie-break. */
  readonly tieKey: Float64Array;
  /** Dense participant number, for self-trade prevention. */
  readonly participant: Int32Array;
  readonly participants: number;

  constructor(readonly orders: readonly BookOrder[]) {
    let n = 0;
    for (const o of orders) n += o.steps.length;
    this.n = n;
    this.order = new Int32Array(n);
    this.step = new Int32Array(n);
    this.isBuy = new Uint8Array(n);
    this.limit = new Float64Array(n);
    this.remaining = new Float64Array(n);
    this.tieKey = new Float64Array(n);
    this.participant = new Int32Array(n);
    const ids = new Map<string, number>();
    let k = 0;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i] as BookOrder;
      let p = ids.get(o.participantId);
      if (p === undefined) {
        p = ids.size;
        ids.set(o.participantId, p);
      }
      if (o.steps.length >= STEP_BITS) throw new RangeError(`order ${o.id} has more than ${STEP_BITS - 1} steps`);
      const buy = o.side === "buy" ? 1 : 0;
      for (let s = 0; s < o.steps.length; s++) {
        const st = o.steps[s] as { priceTicks: number; energyWh: number };
        this.order[k] = i;
        this.step[k] = s;
        this.isBuy[k] = buy;
        this.limit[k] = st.priceTicks;
        this.remaining[k] = st.energyWh;
        this.tieKey[k] = o.seq * STEP_BITS + s;
        this.participant[k] = p;
        k++;
      }
    }
    this.participants = ids.size;
  }

  /** The limit a buy step applies in the market for `source` (its per-source limit if it names one). */
  buyLimitFor(k: number, source: Source | null): number {
    if (source !== null) {
      const o = this.orders[this.order[k] as number] as BookOrder;
      const own = o.sourceLimitTicks?.[source];
      if (own !== undefined) return own;
    }
    return this.limit[k] as number;
  }

  sourceOf(k: number): Source {
    return (this.orders[this.order[k] as number] as BookOrder).source ?? "other";
  }
}

/** One side of one market: entry numbers with the price they compete at there. */
export interface SideRows {
  n: number;
  entry: Int32Array;
  price: Float64Array;
}

export function sideRows(entries: Int32Array, prices: Float64Array, n: number): SideRows {
  return { n, entry: entries, price: prices };
}
