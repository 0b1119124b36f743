import type { Entries, SideRows } from "./entries.js";

export interface RowMatch {
  buyRow: number;
  sellRow: number;
  energyWh: number;
  priceTicks: number;
}

/**
 * Pay-as-bid call auction: buys in falling price order meet sells in rising price order
 * (ties by time priority); each matched pair trades at the buyer's price. Every buyer pays
 * exactly its own (effective) bid; every seller receives at least its ask.
 */
export function clearPayAsBid(entries: Entries, buys: SideRows, sells: SideRows): RowMatch[] {
  const tie = entries.tieKey;
  const qty = entries.remaining;
  const bo = order(buys, tie, -1);
  const so = order(sells, tie, 1);
  const left = new Float64Array(buys.n + sells.n);
  for (let i = 0; i < buys.n; i++) left[i] = qty[buys.entry[i] as number] as number;
  for (let j = 0; j < sells.n; j++) left[buys.n + j] = qty[sells.entry[j] as number] as number;
  const out: RowMatch[] = [];
  let i = 0;
  let j = 0;
  while (i < bo.length && j < so.length) {
    const b = bo[i] as number;
    const s = so[j] as number;
    const bp = buys.price[b] as number;
    if (bp < (sells.price[s] as number)) break;
    const q = Math.min(left[b] as number, left[buys.n + s] as number);
    out.push({ buyRow: b, sellRow: s, energyWh: q, priceTicks: bp });
    left[b] = (left[b] as number) - q;
    left[buys.n + s] = (left[buys.n + s] as number) - q;
    if (left[b] === 0) i++;
    if (left[buys.n + s] === 0) j++;
  }
  return out;
}

function order(rows: SideRows, tie: Float64Array, dir: 1 | -1): number[] {
  const idx = Array.from({ length: rows.n }, (_, i) => i);
  idx.sort(
    (a, b) =>
      dir * ((rows.price[a] as number) - (rows.price[b] as number)) ||
      (tie[rows.entry[a] as number] as number) - (tie[rows.entry[b] as number] as number),
  );
  return idx;
}
