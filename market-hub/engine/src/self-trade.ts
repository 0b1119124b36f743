import type { Entries, SideRows } from "./entries.js";

/**
 * Self-trade prevention for call auctions. Where a participant's own buy and sell in one
 * market cross (buy price >= sell price), both are reduced by the crossing energy before
 * clearing, as exchanges do with "decrement and cancel". Afterwards every participant's
 * buys are priced below its sells, so no uniform price can fill both and no pairing can
 * match them. Returns the energy cancelled.
 */
export function cancelSelfCrossing(entries: Entries, buys: SideRows, sells: SideRows): number {
  const P = entries.participants;
  if (buys.n === 0 || sells.n === 0 || P === 0) return 0;
  const maxBuy = new Float64Array(P).fill(Number.NEGATIVE_INFINITY);
  const minSell = new Float64Array(P).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < buys.n; i++) {
    const p = entries.participant[buys.entry[i] as number] as number;
    const price = buys.price[i] as number;
    if (price > (maxBuy[p] as number)) maxBuy[p] = price;
  }
  let crossing = false;
  for (let i = 0; i < sells.n; i++) {
    const p = entries.participant[sells.entry[i] as number] as number;
    const price = sells.price[i] as number;
    if (price < (minSell[p] as number)) minSell[p] = price;
    if (price <= (maxBuy[p] as number)) crossing = true;
  }
  if (!crossing) return 0;

  const ownBuys = new Map<number, number[]>();
  const ownSells = new Map<number, number[]>();
  for (let i = 0; i < buys.n; i++) {
    const p = entries.participant[buys.entry[i] as number] as number;
    if ((maxBuy[p] as number) >= (minSell[p] as number)) push(ownBuys, p, i);
  }
  for (let i = 0; i < sells.n; i++) {
    const p = entries.participant[sells.entry[i] as number] as number;
    if ((maxBuy[p] as number) >= (minSell[p] as number)) push(ownSells, p, i);
  }
  const rem = entries.remaining;
  const tie = entries.tieKey;
  let cancelled = 0;
  for (const [p, bs] of ownBuys) {
    const ss = ownSells.get(p) ?? [];
    bs.sort((a, b) => (buys.price[b] as number) - (buys.price[a] as number) || tieOf(tie, buys, a) - tieOf(tie, buys, b));
    ss.sort(
      (a, b) => (sells.price[a] as number) - (sells.price[b] as number) || tieOf(tie, sells, a) - tieOf(tie, sells, b),
    );
    let i = 0;
    let j = 0;
    while (i < bs.length && j < ss.length) {
      const b = buys.entry[bs[i] as number] as number;
      const s = sells.entry[ss[j] as number] as number;
      if ((buys.price[bs[i] as number] as number) < (sells.price[ss[j] as number] as number)) break;
      const q = Math.min(rem[b] as number, rem[s] as number);
      rem[b] = (rem[b] as number) - q;
      rem[s] = (rem[s] as number) - q;
      cancelled += q;
      if (rem[b] === 0) i++;
      if (rem[s] === 0) j++;
    }
  }
  return cancelled;
}

function tieOf(tie: Float64Array, rows: SideRows, i: number): number {
  return tie[rows.entry[i] as number] as number;
}

function push(m: Map<number, number[]>, k: number, v: number): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
