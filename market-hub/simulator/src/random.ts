/**
 * Seeded randomness without state: every number is a hash of the seed and up to three
 * coordinates (household, day, slot, purpose), so a run is reproducible from its seed and any
 * part of it can be computed in any order. Fixed arity on purpose: this runs for every
 * household in every slot, and rest parameters would allocate.
 */
export function hash32(a: number, b: number, c: number, d: number): number {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ (a | 0), 0x01000193);
  h = Math.imul(h ^ (b | 0), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h ^ (c | 0), 0x01000193);
  h = Math.imul(h ^ (d | 0), 0x01000193);
  // murmur3 finaliser
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform number in [0, 1) from the seed and coordinates. */
export function uniform(seed: number, a: number, b: number, c = 0): number {
  return hash32(seed, a, b, c) / 4294967296;
}

/**
 * How a figure spreads between households: a log-normal, i.e. its logarithm is normal around
 * ln(median) with standard deviation `sigma`, cut to [min, max]. Household loads and PV sizes
 * are skewed like this: most near the median, a few several times it.
 */
export interface LogNormal {
  logNormal: { median: number; sigma: number };
  min?: number | undefined;
  max?: number | undefined;
}

/** A fixed value, a uniform range [lo, hi] or a log-normal spread. */
export type Spread = number | readonly [number, number] | LogNormal;

/**
 * The standard normal's quantile (Acklam's rational approximation, relative error below
 * 1.2e-9), for p in (0, 1).
 */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572, 1];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1];
  const tail = (q: number) => horner(c, q) / horner(d, q);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  return (horner(a, q * q) * q) / horner(b, q * q);
}

/** A polynomial's value, its coefficients from the highest power down. */
const horner = (coefficients: readonly number[], x: number) => coefficients.reduce((acc, k) => acc * x + k, 0);

/** 4,096 equiprobable normal values (each bin's middle quantile): a seeded normal by lookup. */
const NORMAL_BINS = 4096;
const NORMAL_TABLE = Float64Array.from({ length: NORMAL_BINS }, (_, i) => normalQuantile((i + 0.5) / NORMAL_BINS));

/**
 * A standard normal number from the seed and coordinates. A table lookup rather than
 * Box–Muller: this runs for every household in every slot, and the 4,096 levels are far finer
 * than any figure drawn from them needs.
 */
export function normal(seed: number, a: number, b: number): number {
  return NORMAL_TABLE[hash32(seed, a, b, 1) >>> 20] as number;
}

/** A household's figure drawn from a spread, seeded by the household (a) and the figure (b). */
export function pick(spread: Spread, seed: number, a: number, b: number): number {
  if (typeof spread === "number") return spread;
  if ("logNormal" in spread) {
    const x = spread.logNormal.median * Math.exp(spread.logNormal.sigma * normal(seed, a, b));
    return Math.min(spread.max ?? Number.POSITIVE_INFINITY, Math.max(spread.min ?? 0, x));
  }
  const [lo, hi] = spread as readonly [number, number];
  return lo + (hi - lo) * uniform(seed, a, b);
}

/** A string's stable number, to seed by name. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
