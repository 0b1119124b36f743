/**
 * Shares `total` Wh among claims pro rata to their size, in whole Wh. Each gets the floor of
 * its exact share; the Wh left over go one each to the largest remainders, ties to the
 * smaller tie key (earlier time priority). Integer arithmetic on doubles where every claim x
 * total stays below 2^53 (a community's slot: Wh times Wh), BigInt beyond, exact either way.
 */
export function allocateProRata(claims: readonly number[], tieKeys: readonly number[], total: number): number[] {
  const n = claims.length;
  if (n === 0) return [];
  let sum = 0;
  let largest = 0;
  for (const c of claims) {
    sum += c;
    if (c > largest) largest = c;
  }
  if (total >= sum) return [...claims];
  if (largest * total <= Number.MAX_SAFE_INTEGER && sum <= Number.MAX_SAFE_INTEGER) {
    const out = new Array<number>(n);
    const rem = new Float64Array(n);
    let given = 0;
    for (let i = 0; i < n; i++) {
      const exact = (claims[i] as number) * total;
      // the division may round across a whole number: correct it on the exact remainder
      let share = Math.floor(exact / sum);
      let r = exact - share * sum;
      if (r < 0) {
        share--;
        r += sum;
      } else if (r >= sum) {
        share++;
        r -= sum;
      }
      out[i] = share;
      rem[i] = r;
      given += share;
    }
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) =>
      rem[a] === rem[b] ? (tieKeys[a] as number) - (tieKeys[b] as number) : (rem[b] as number) - (rem[a] as number),
    );
    for (let k = 0; given < total; k++, given++) {
      const i = order[k] as number;
      out[i] = (out[i] as number) + 1;
    }
    return out;
  }
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
