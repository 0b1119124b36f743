import type { Source } from "@openlem/protocol";
import type { BookColumns, BookOrder } from "./types.js";

const STEP_BITS = 256;
/** Sources by byte code; "other" is the code of a sell without a source and of buys. */
export const SOURCE_CODES: readonly Source[] = ["pv", "chp", "wind", "battery", "other"];
const OTHER = SOURCE_CODES.indexOf("other");
const codeOf = new Map<Source, number>(SOURCE_CODES.map((s, i) => [s, i]));

/**
 * The steps of a book flattened into parallel typed arrays, so that clearing a million
 * orders touches a few contiguous arrays instead of a million objects.
 */
export class Entries {
  readonly n: number;
  /** Row -> index into `orders` and step number (empty for books given as columns). */
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
  /** Source code (SOURCE_CODES) of a sell. */
  readonly source: Uint8Array;
  readonly orders: readonly BookOrder[];

  private constructor(parts: Omit<Entries, "buyLimitFor" | "sourceOf">) {
    this.n = parts.n;
    this.order = parts.order;
    this.step = parts.step;
    this.isBuy = parts.isBuy;
    this.limit = parts.limit;
    this.remaining = parts.remaining;
    this.tieKey = parts.tieKey;
    this.participant = parts.participant;
    this.participants = parts.participants;
    this.source = parts.source;
    this.orders = parts.orders;
  }

  static fromOrders(orders: readonly BookOrder[]): Entries {
    let n = 0;
    for (const o of orders) n += o.steps.length;
    const order = new Int32Array(n);
    const step = new Int32Array(n);
    const isBuy = new Uint8Array(n);
    const limit = new Float64Array(n);
    const remaining = new Float64Array(n);
    const tieKey = new Float64Array(n);
    const participant = new Int32Array(n);
    const source = new Uint8Array(n);
    const numbering = participantNumbering(orders);
    let k = 0;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i] as BookOrder;
      if (o.steps.length >= STEP_BITS) throw new RangeError(`order ${o.id} has more than ${STEP_BITS - 1} steps`);
      const p = numbering.of(o);
      const buy = o.side === "buy" ? 1 : 0;
      const src = o.source === null ? OTHER : (codeOf.get(o.source) ?? OTHER);
      for (let s = 0; s < o.steps.length; s++) {
        const st = o.steps[s] as { priceTicks: number; energyWh: number };
        order[k] = i;
        step[k] = s;
        isBuy[k] = buy;
        limit[k] = st.priceTicks;
        remaining[k] = st.energyWh;
        tieKey[k] = o.seq * STEP_BITS + s;
        participant[k] = p;
        source[k] = src;
        k++;
      }
    }
    const participants = numbering.count;
    return new Entries({ n, order, step, isBuy, limit, remaining, tieKey, participant, participants, source, orders });
  }

  static fromColumns(c: BookColumns): Entries {
    const n = c.n;
    const check = (name: string, a: { length: number }) => {
      if (a.length < n) throw new RangeError(`column ${name} has ${a.length} rows, the book has ${n}`);
    };
    check("isBuy", c.isBuy);
    check("priceTicks", c.priceTicks);
    check("energyWh", c.energyWh);
    check("tieKey", c.tieKey);
    check("participant", c.participant);
    if (c.source) check("source", c.source);
    for (let k = 0; k < n; k++) {
      const p = c.participant[k] as number;
      if (p < 0 || p >= c.participants)
        throw new RangeError(`participant[${k}] = ${p} is outside 0..${c.participants - 1}`);
    }
    return new Entries({
      n,
      order: new Int32Array(0),
      step: new Int32Array(0),
      isBuy: c.isBuy,
      limit: c.priceTicks,
      remaining: c.energyWh.slice(0, n),
      tieKey: c.tieKey,
      participant: c.participant,
      participants: c.participants,
      source: c.source ?? new Uint8Array(n).fill(OTHER),
      orders: [],
    });
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
    return SOURCE_CODES[this.source[k] as number] as Source;
  }
}

/**
 * Numbers participants densely. Caller-given integer keys are used as they are when they
 * are dense enough to index an array; otherwise participants are numbered by hashing.
 */
function participantNumbering(orders: readonly BookOrder[]): { count: number; of: (o: BookOrder) => number } {
  let maxKey = -1;
  let keyed = true;
  for (const o of orders) {
    const key = o.householdKey;
    if (key === undefined || !Number.isInteger(key) || key < 0) {
      keyed = false;
      break;
    }
    if (key > maxKey) maxKey = key;
  }
  if (keyed && maxKey < 8 * orders.length + 1024) {
    return { count: maxKey + 1, of: (o) => o.householdKey as number };
  }
  const ids = new Map<string, number>();
  return {
    get count() {
      return ids.size;
    },
    of: (o) => {
      let p = ids.get(o.householdId);
      if (p === undefined) {
        p = ids.size;
        ids.set(o.householdId, p);
      }
      return p;
    },
  };
}

/** One side of one market: entry numbers with the price they compete at there. */
export interface SideRows {
  n: number;
  entry: Int32Array;
  price: Float64Array;
}
