import { effectiveBuy, effectiveSell } from "./effective-price.js";
import type { BookOrder, TariffTicks } from "./types.js";

/** A step of an order resting in the book. */
interface Resting {
  order: BookOrder;
  step: number;
  price: number;
  remaining: number;
  validUntilMs: number;
  expired: boolean;
}

const dead = (r: Resting) => r.remaining === 0 || r.expired;

interface Level {
  price: number;
  queue: Resting[];
  head: number;
}

/** One side of the book: price levels in a binary heap keyed so that the best price is on top. */
class Side {
  private readonly levels = new Map<number, Level>();
  private readonly heap: number[] = [];

  /** dir = -1 for bids (highest first), +1 for asks (lowest first). */
  constructor(private readonly dir: 1 | -1) {}

  add(r: Resting): void {
    let level = this.levels.get(r.price);
    if (!level) {
      level = { price: r.price, queue: [], head: 0 };
      this.levels.set(r.price, level);
      this.push(this.dir * r.price);
    }
    level.queue.push(r);
  }

  best(): Level | undefined {
    while (this.heap.length > 0) {
      const level = this.levels.get(this.dir * (this.heap[0] as number));
      if (level && level.head < level.queue.length) return level;
      this.popLevel();
    }
    return undefined;
  }

  /** Removes the top level and returns it (used to step past levels holding only own orders). */
  popLevel(): Level | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const level = this.levels.get(this.dir * top);
    this.levels.delete(this.dir * top);
    const last = this.heap.pop() as number;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return level;
  }

  restore(level: Level): void {
    this.levels.set(level.price, level);
    this.push(this.dir * level.price);
  }

  private push(key: number): void {
    const h = this.heap;
    h.push(key);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as number) <= key) break;
      h[i] = h[parent] as number;
      i = parent;
    }
    h[i] = key;
  }

  private siftDown(i0: number): void {
    const h = this.heap;
    const n = h.length;
    const key = h[i0] as number;
    let i = i0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (h[c + 1] as number) < (h[c] as number)) c++;
      if ((h[c] as number) >= key) break;
      h[i] = h[c] as number;
      i = c;
    }
    h[i] = key;
  }
}

export interface ContinuousTrade {
  buy: BookOrder;
  buyStep: number;
  sell: BookOrder;
  sellStep: number;
  energyWh: number;
  priceTicks: number;
}

/**
 * Continuous matching within a slot with price-time priority. An incoming step trades
 * with the best resting prices first, and within a price with the earliest; each trade is
 * priced at the resting order's price. An incoming order never trades with the same
 * participant's resting orders: it passes them by and they keep their place. Resting
 * steps leave the book when their validity ends.
 */
export class ContinuousBook {
  private readonly bids = new Side(-1);
  private readonly asks = new Side(1);
  private readonly all: Resting[] = [];

  constructor(private readonly tariff: TariffTicks | null) {}

  /** Matches `order` at time `atMs`; returns its trades. The unfilled rest stays in the book. */
  submit(order: BookOrder, atMs: number, out: ContinuousTrade[] = []): ContinuousTrade[] {
    const buy = order.side === "buy";
    const validUntilMs = order.validUntilMs ?? Number.POSITIVE_INFINITY;
    for (let s = 0; s < order.steps.length; s++) {
      const st = order.steps[s] as { priceTicks: number; energyWh: number };
      const price = buy ? effectiveBuy(st.priceTicks, this.tariff) : effectiveSell(st.priceTicks, this.tariff);
      const r: Resting = { order, step: s, price, remaining: st.energyWh, validUntilMs, expired: false };
      this.all.push(r);
      this.match(r, buy, atMs, out);
      if (r.remaining > 0 && validUntilMs > atMs) (buy ? this.bids : this.asks).add(r);
    }
    return out;
  }

  private match(r: Resting, buy: boolean, atMs: number, out: ContinuousTrade[]): void {
    const opposite = buy ? this.asks : this.bids;
    const passed: Level[] = [];
    while (r.remaining > 0) {
      const level = opposite.best();
      if (!level) break;
      if (buy ? level.price > r.price : level.price < r.price) break;
      const q = level.queue;
      for (let k = level.head; k < q.length && r.remaining > 0; k++) {
        const other = q[k] as Resting;
        if (dead(other)) continue;
        if (other.validUntilMs <= atMs) {
          other.expired = true;
          continue;
        }
        if (other.order.householdId === r.order.householdId) continue;
        const e = Math.min(r.remaining, other.remaining);
        r.remaining -= e;
        other.remaining -= e;
        out.push(
          buy
            ? {
                buy: r.order,
                buyStep: r.step,
                sell: other.order,
                sellStep: other.step,
                energyWh: e,
                priceTicks: level.price,
              }
            : {
                buy: other.order,
                buyStep: other.step,
                sell: r.order,
                sellStep: r.step,
                energyWh: e,
                priceTicks: level.price,
              },
        );
      }
      while (level.head < q.length && dead(q[level.head] as Resting)) level.head++;
      if (level.head === q.length) {
        opposite.popLevel();
      } else if (r.remaining > 0) {
        // Whatever is still live at this price is the participant's own: look past it.
        const popped = opposite.popLevel();
        if (popped) passed.push(popped);
      }
    }
    for (const level of passed) opposite.restore(level);
  }

  /** Every step ever submitted with its unfilled energy. */
  steps(): readonly { order: BookOrder; step: number; remaining: number }[] {
    return this.all;
  }
}
