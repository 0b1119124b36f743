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

/** A number in [lo, hi] from a pair or a single value, seeded. */
export function pick(range: number | readonly [number, number], seed: number, a: number, b: number): number {
  if (typeof range === "number") return range;
  return range[0] + (range[1] - range[0]) * uniform(seed, a, b);
}

/** A string's stable number, to seed by name. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
