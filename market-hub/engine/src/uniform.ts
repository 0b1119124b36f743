import type { Entries, SideRows } from "./entries.js";
import { type PriceRule, priceTarget } from "./pricing.js";
import { allocateProRata } from "./pro-rata.js";
import type { TariffTicks } from "./types.js";

/** How the price is chosen in the clearing interval (default: the k-double auction at 0.5). */
export interface UniformPricing {
  k?: number | undefined;
  rule?: PriceRule | undefined;
  /** What the rules beyond the k-double auction share the gain between. */
  tariff?: TariffTicks | null | undefined;
}

export interface UniformOutcome {
  /** Clearing price in ticks, or null when nothing trades. */
  price: number | null;
  volume: number;
  /** Energy filled per row of `buys` / `sells`. */
  buyFill: Float64Array;
  sellFill: Float64Array;
}

/** Above this many price levels per order the clearing sorts prices instead of indexing them. */
const DENSE_LEVELS_PER_ROW = 4;
const DENSE_LEVELS_MIN = 1 << 12;

/**
 * Uniform-price (pay-as-clear) call auction over one market.
 *
 * Volume: the traded volume Q* is the largest volume any single price can clear,
 * max_p min(D(p), S(p)), where D(p) is the demand priced at or above p and S(p) the supply
 * priced at or below p. Buys priced above the marginal buy level and sells below the
 * marginal sell level are filled in full; the orders at a marginal level share what is left
 * pro rata to their energy (largest remainder for the last Wh, ties by time priority).
 *
 * Price (the k-double auction): the price clears the market, so no order left wholly or
 * partly unfilled has a limit better than the price (a rationed buy bids at most the price, a
 * rationed sell asks at least it; rationing happens only at the price itself). Those prices
 * form the interval [max(last accepted ask, first rejected bid), min(last accepted bid,
 * first rejected ask)] on the merit order; the price lies at `k` within it (0.5 by default,
 * the community's `uniformPriceK`), rounded down to a whole tick. So with surplus PV the
 * price falls to what the sellers ask, and with short supply it rises to what the buyers bid.
 * Another `rule` (pricing.ts) puts the price as near its target as the accepted orders' own
 * limits allow: between the highest accepted ask and the lowest accepted bid. The volume and
 * who trades stay the same; a side rationed at its limit then trades at a price it prefers.
 *
 * Prices are integer ticks, so demand and supply are gathered per price level in one
 * pass: directly indexed when the traded price range is small (the usual case: local
 * prices lie between feed-in and retail), otherwise over the sorted distinct prices.
 */
export function clearUniform(
  entries: Entries,
  buys: SideRows,
  sells: SideRows,
  pricing: UniformPricing = {},
): UniformOutcome {
  const buyFill = new Float64Array(buys.n);
  const sellFill = new Float64Array(sells.n);
  const none: UniformOutcome = { price: null, volume: 0, buyFill, sellFill };
  if (buys.n === 0 || sells.n === 0) return none;

  let maxBuy = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < buys.n; i++) if ((buys.price[i] as number) > maxBuy) maxBuy = buys.price[i] as number;
  let minSell = Number.POSITIVE_INFINITY;
  for (let i = 0; i < sells.n; i++) if ((sells.price[i] as number) < minSell) minSell = sells.price[i] as number;
  if (maxBuy < minSell) return none;

  const levels = priceLevels(buys, sells, minSell, maxBuy);
  const L = levels.count;
  const qty = entries.remaining;
  const demandAt = new Float64Array(L);
  const supplyAt = new Float64Array(L);
  const buyLevel = new Int32Array(buys.n);
  const sellLevel = new Int32Array(sells.n);
  for (let i = 0; i < buys.n; i++) {
    const p = buys.price[i] as number;
    if (p < minSell) {
      buyLevel[i] = -1;
      continue;
    }
    const l = levels.levelOf(p);
    buyLevel[i] = l;
    demandAt[l] = (demandAt[l] as number) + (qty[buys.entry[i] as number] as number);
  }
  for (let i = 0; i < sells.n; i++) {
    const p = sells.price[i] as number;
    if (p > maxBuy) {
      sellLevel[i] = -1;
      continue;
    }
    const l = levels.levelOf(p);
    sellLevel[i] = l;
    supplyAt[l] = (supplyAt[l] as number) + (qty[sells.entry[i] as number] as number);
  }
  // D[l]: demand at or above level l; S[l]: supply at or below level l.
  const D = new Float64Array(L + 1);
  for (let l = L - 1; l >= 0; l--) D[l] = (D[l + 1] as number) + (demandAt[l] as number);
  const S = new Float64Array(L);
  let acc = 0;
  for (let l = 0; l < L; l++) {
    acc += supplyAt[l] as number;
    S[l] = acc;
  }
  let q = 0;
  for (let l = 0; l < L; l++) {
    const v = Math.min(D[l] as number, S[l] as number);
    if (v > q) q = v;
  }
  if (q === 0) return none;
  let mB = 0;
  for (let l = L - 1; l >= 0; l--) {
    if ((D[l] as number) >= q) {
      mB = l;
      break;
    }
  }
  let mS = 0;
  for (let l = 0; l < L; l++) {
    if ((S[l] as number) >= q) {
      mS = l;
      break;
    }
  }
  let demandWh = 0;
  for (let i = 0; i < buys.n; i++) demandWh += qty[buys.entry[i] as number] as number;
  let supplyWh = 0;
  for (let i = 0; i < sells.n; i++) supplyWh += qty[sells.entry[i] as number] as number;
  const target = priceTarget(pricing.rule ?? "k-double", pricing.tariff ?? null, { demandWh, supplyWh });
  const price = clearingPrice(levels, { demandAt, supplyAt, D, S, q, mB, mS }, pricing.k ?? 0.5, target);
  fillSide(entries, buys, buyLevel, buyFill, mB, q - (D[mB + 1] as number), true);
  fillSide(entries, sells, sellLevel, sellFill, mS, q - (mS > 0 ? (S[mS - 1] as number) : 0), false);
  return { price, volume: q, buyFill, sellFill };
}

/**
 * The market-clearing interval on the merit order, and the price at `k` inside it. The
 * marginal buy level mB is the lowest accepted bid, mS the highest accepted ask. A level with
 * more energy than it gets is rationed: its limit is then the price. Otherwise the first
 * rejected bid is the next buy level below mB, the first rejected ask the next sell level
 * above mS (none: no bound).
 */
function clearingPrice(
  levels: Levels,
  c: {
    demandAt: Float64Array;
    supplyAt: Float64Array;
    D: Float64Array;
    S: Float64Array;
    q: number;
    mB: number;
    mS: number;
  },
  k: number,
  target: number | null,
): number {
  const { demandAt, supplyAt, D, S, q, mB, mS } = c;
  const L = levels.count;
  const lastBid = levels.value(mB);
  const lastAsk = levels.value(mS);
  const buyRationed = (D[mB] as number) > q;
  const sellRationed = (S[mS] as number) > q;
  let firstRejectedBid = Number.NEGATIVE_INFINITY;
  if (buyRationed) firstRejectedBid = lastBid;
  else {
    for (let l = mB - 1; l >= 0; l--) {
      if ((demandAt[l] as number) > 0) {
        firstRejectedBid = levels.value(l);
        break;
      }
    }
  }
  let firstRejectedAsk = Number.POSITIVE_INFINITY;
  if (sellRationed) firstRejectedAsk = lastAsk;
  else {
    for (let l = mS + 1; l < L; l++) {
      if ((supplyAt[l] as number) > 0) {
        firstRejectedAsk = levels.value(l);
        break;
      }
    }
  }
  // a sharing rule needs only each accepted order's own limit (individual rationality): the
  // side rationed at its limit is shared out pro rata at a price it likes better
  if (target !== null) return Math.min(lastBid, Math.max(lastAsk, Math.round(target)));
  const lo = Math.max(lastAsk, firstRejectedBid);
  const hi = Math.min(lastBid, firstRejectedAsk);
  // the merit order guarantees lo <= hi at the volume that clears most (see docs/engine.md)
  if (lo > hi) throw new Error(`no market-clearing price: [${lo}, ${hi}] is empty`);
  return Math.floor(lo + k * (hi - lo));
}

function fillSide(
  entries: Entries,
  rows: SideRows,
  level: Int32Array,
  fill: Float64Array,
  marginal: number,
  atMargin: number,
  buy: boolean,
): void {
  const qty = entries.remaining;
  const tied: number[] = [];
  for (let i = 0; i < rows.n; i++) {
    const l = level[i] as number;
    if (l < 0) continue;
    if (l === marginal) tied.push(i);
    else if (buy ? l > marginal : l < marginal) fill[i] = qty[rows.entry[i] as number] as number;
  }
  const shares = allocateProRata(
    tied.map((i) => qty[rows.entry[i] as number] as number),
    tied.map((i) => entries.tieKey[rows.entry[i] as number] as number),
    atMargin,
  );
  for (let k = 0; k < tied.length; k++) fill[tied[k] as number] = shares[k] as number;
}

interface Levels {
  count: number;
  levelOf(price: number): number;
  value(level: number): number;
}

function priceLevels(buys: SideRows, sells: SideRows, lo: number, hi: number): Levels {
  const range = hi - lo + 1;
  if (range <= Math.max(DENSE_LEVELS_PER_ROW * (buys.n + sells.n), DENSE_LEVELS_MIN)) {
    return { count: range, levelOf: (p) => p - lo, value: (l) => lo + l };
  }
  const all = new Float64Array(buys.n + sells.n);
  let n = 0;
  for (let i = 0; i < buys.n; i++) {
    const p = buys.price[i] as number;
    if (p >= lo) all[n++] = p;
  }
  for (let i = 0; i < sells.n; i++) {
    const p = sells.price[i] as number;
    if (p <= hi) all[n++] = p;
  }
  const sorted = all.subarray(0, n).sort();
  let u = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i] as number;
  const values = sorted.subarray(0, u);
  return {
    count: u,
    levelOf: (p) => {
      let a = 0;
      let b = u - 1;
      while (a < b) {
        const m = (a + b) >>> 1;
        if ((values[m] as number) < p) a = m + 1;
        else b = m;
      }
      return a;
    },
    value: (l) => values[l] as number,
  };
}
