/** The range a slider may cover: the community's floor and cap, narrowed by the entity's own min and max. */
export function bidRange(
  floor: number | null,
  cap: number | null,
  entityMin: number | null,
  entityMax: number | null,
): { min: number; max: number } | null {
  const lo = Math.max(floor ?? Number.NEGATIVE_INFINITY, entityMin ?? Number.NEGATIVE_INFINITY);
  const hi = Math.min(cap ?? Number.POSITIVE_INFINITY, entityMax ?? Number.POSITIVE_INFINITY);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) return null;
  return { min: lo, max: hi };
}

/** A slider's value snapped to the step and held inside the range: a bid can never leave it. */
export function clampBid(value: number, range: { min: number; max: number }, step: number): number {
  // steps of 0.01 in floating point: keep the tick-exact decimal, then hold the range
  const snapped = Math.round(Math.round(value / step) * step * 100_000) / 100_000;
  return Math.min(range.max, Math.max(range.min, snapped));
}
