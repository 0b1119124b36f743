import type { Entries, SideRows } from "./entries.js";

/**
 * Self-trade prevention for call auctions. Where a participant's own buy and sell in one
 * market cross (buy price >= sell price), both are reduced by the crossing energy before
 * clearing, as exchanges do with "decrement and cancel": best buy against best sell,
 * ties by time priority. Afterwards every participant's buys are priced below its sells,
 * so no uniform price can fill both and no pairing can match them. Returns the energy
 * cancelled (once, not per side).
 */
export function cancelSelfCrossing(entries: Entries, buys: SideRows, sells: SideRows): number {
  const P = entries.participants;
  if (buys.n === 0 || sells.n === 0 || P === 0) return 0;
  const part = entries.participant;
  const maxBuy = new Float64Array(P).fill(Number.NEGATIVE_INFINITY);
  const minSell = new Float64Array(P).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < buys.n; i++) {
    const p = part[buys.entry[i] as number] as number;
    if ((buys.price[i] as number) > (maxBuy[p] as number)) maxBuy[p] = buys.price[i] as number;
  }
  for (let i = 0; i < sells.n; i++) {
    const p = part[sells.entry[i] as number] as number;
    if ((sells.price[i] as number) < (minSell[p] as number)) minSell[p] = sells.price[i] as number;
  }
  // Group the rows of crossing participants by participant (counting sort: no hashing).
  const start = new Int32Array(P + 1);
  let rows = 0;
  for (let i = 0; i < buys.n; i++) {
    const p = part[buys.entry[i] as number] as number;
    if ((maxBuy[p] as number) >= (minSell[p] as number)) {
      start[p + 1] = (start[p + 1] as number) + 1;
      rows++;
    }
  }
  for (let i = 0; i < sells.n; i++) {
    const p = part[sells.entry[i] as number] as number;
    if ((maxBuy[p] as number) >= (minSell[p] as number)) {
      start[p + 1] = (start[p + 1] as number) + 1;
      rows++;
    }
  }
  if (rows === 0) return 0;
  for (let p = 0; p < P; p++) start[p + 1] = (start[p + 1] as number) + (start[p] as number);
  const next = start.slice(0, P);
  // Buy rows are stored as i, sell rows as -(i + 1).
  const grouped = new Int32Array(rows);
  for (let i = 0; i < buys.n; i++) {
    const p = part[buys.entry[i] as number] as number;
    if ((maxBuy[p] as number) >= (minSell[p] as number)) place(grouped, next, p, i);
  }
  for (let i = 0; i < sells.n; i++) {
    const p = part[sells.entry[i] as number] as number;
    if ((maxBuy[p] as number) >= (minSell[p] as number)) place(grouped, next, p, -(i + 1));
  }
  const rem = entries.remaining;
  const tie = entries.tieKey;
  let largest = 0;
  for (let p = 0; p < P; p++) largest = Math.max(largest, (start[p + 1] as number) - (start[p] as number));
  const bs = new Int32Array(largest);
  const ss = new Int32Array(largest);
  let cancelled = 0;
  for (let p = 0; p < P; p++) {
    const from = start[p] as number;
    const to = start[p + 1] as number;
    if (from === to) continue;
    let nb = 0;
    let ns = 0;
    for (let g = from; g < to; g++) {
      const v = grouped[g] as number;
      if (v >= 0) bs[nb++] = v;
      else ss[ns++] = -v - 1;
    }
    // Groups are small (a household's few orders): insertion sort, best buy and best sell first.
    sortRows(bs, nb, buys, tie, -1);
    sortRows(ss, ns, sells, tie, 1);
    let i = 0;
    let j = 0;
    while (i < nb && j < ns) {
      const bi = bs[i] as number;
      const sj = ss[j] as number;
      if ((buys.price[bi] as number) < (sells.price[sj] as number)) break;
      const b = buys.entry[bi] as number;
      const s = sells.entry[sj] as number;
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

function place(grouped: Int32Array, next: Int32Array, p: number, value: number): void {
  const at = next[p] as number;
  grouped[at] = value;
  next[p] = at + 1;
}

/** Sorts rows[0..n) by price (dir -1: highest first, 1: lowest first), then time priority. */
function sortRows(rows: Int32Array, n: number, side: SideRows, tie: Float64Array, dir: 1 | -1): void {
  for (let a = 1; a < n; a++) {
    const v = rows[a] as number;
    const vp = dir * (side.price[v] as number);
    const vt = tie[side.entry[v] as number] as number;
    let b = a - 1;
    while (b >= 0) {
      const w = rows[b] as number;
      const wp = dir * (side.price[w] as number);
      if (wp < vp || (wp === vp && (tie[side.entry[w] as number] as number) <= vt)) break;
      rows[b + 1] = w;
      b--;
    }
    rows[b + 1] = v;
  }
}
