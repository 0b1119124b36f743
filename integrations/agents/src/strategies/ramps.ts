import { z } from "zod";

/**
 * Linear price ramps as in Grid Singularity's D3A: within the bidding window a load raises its
 * bid step by step from an initial to a final rate, a generator lowers its offer, and storage
 * does both. Prices in currency/kWh, rounded to the market's tick (0.00001).
 */
export const Ramp = z.object({
  initialPrice: z.number(),
  finalPrice: z.number(),
  updateIntervalMinutes: z.number().int().positive().default(1),
});
export type Ramp = z.output<typeof Ramp>;

const tick = (p: number) => Math.round(p * 100_000) / 100_000;

/** The ramp's price at `nowMs` in the window [openMs, closeMs): it moves once per update interval. */
export function rampPrice(r: Ramp, openMs: number, closeMs: number, nowMs: number): number {
  const interval = r.updateIntervalMinutes * 60_000;
  const steps = Math.max(1, Math.floor((closeMs - openMs) / interval) - 1);
  const k = Math.min(steps, Math.max(0, Math.floor((nowMs - openMs) / interval)));
  return tick(r.initialPrice + ((r.finalPrice - r.initialPrice) * k) / steps);
}

/**
 * A storage's offer: the sell ramp, but never below what the stored energy cost, grossed up by
 * the losses of getting it back out (so a round trip never sells at a loss).
 */
export function storageSellPrice(
  r: Ramp,
  openMs: number,
  closeMs: number,
  nowMs: number,
  averageCostPerKwh: number,
  dischargeEfficiency: number,
): number {
  const floor = averageCostPerKwh / Math.max(1e-9, dischargeEfficiency);
  return tick(Math.max(rampPrice(r, openMs, closeMs, nowMs), Math.ceil(floor * 100_000) / 100_000));
}

/**
 * A relative price limit ("the cheapest 25 % of slots"): the price at or below which `share` of
 * the known forecast lies. Slots without a forecast do not count. Null when nothing is known.
 */
export function relativeLimit(prices: readonly number[], share: number): number | null {
  const known = prices.filter(Number.isFinite).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const k = Math.max(1, Math.ceil(Math.min(1, Math.max(0, share)) * known.length));
  return known[k - 1] ?? null;
}

/**
 * The D3A ramp carried from slot to slot, for call auctions where each slot has one round: a
 * seller left (partly) unsold lowers its ask by one step toward its minimum, a seller that
 * sold everything tries one step higher; a buyer left short raises its bid toward its
 * maximum, one filled in full bids a step lower. Prices in ticks; never outside the bounds.
 */
export function adaptLimitTicks(
  side: "buy" | "sell",
  currentTicks: number,
  filledInFull: boolean,
  bounds: { minTicks: number; maxTicks: number },
  stepTicks: number,
): number {
  const towardBetterForMe = side === "sell" ? stepTicks : -stepTicks;
  const next = filledInFull ? currentTicks + towardBetterForMe : currentTicks - towardBetterForMe;
  return Math.min(bounds.maxTicks, Math.max(bounds.minTicks, Math.round(next)));
}
