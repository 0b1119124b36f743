/**
 * Shares `total` Wh among claims pro rata to their size, in whole Wh. Each gets the floor of
 * its exact share; the Wh left over go one each to the largest remainders, ties to the
 * smaller tie key (earlier time priority). BigInt keeps claim x total exact at any size.
 */
export function allocateProRata(claims: readonly number[], tieKeys: readonly number[], total: number): number[] {
  const n = claims.length;
  if (n === 0) return [];
  const sum = claims.reduce((s, c) => s + c, 0);
  if (total >= sum) return [...claims];
  const bigTotal = BigInt(total);
  const bigSum = BigInt(sum);
  const out = new Array<number>(n);
  const rems: { i: number; rem: bigint }[] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    const exact = BigInt(claims[i] as number) * bigTotal;
    const share = exact / bigSum;
    out[i] = Number(share);
    given += out[i] as number;
    rems.push({ i, rem: exact - share * bigSum });
  }
  rems.sort((a, b) => (a.rem === b.rem ? (tieKeys[a.i] as number) - (tieKeys[b.i] as number) : a.rem > b.rem ? -1 : 1));
  for (let k = 0; given < total; k++, given++) {
    const r = rems[k] as { i: number };
    out[r.i] = (out[r.i] as number) + 1;
  }
  return out;
}
