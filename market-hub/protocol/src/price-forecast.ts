import { DAY_MS, slotMs, slotStartMs } from "./durations.js";
import type { CommunityId } from "./ids.js";
import type { Commodity, MarketConfig } from "./market.js";
import type { PriceSignal, SlotResult } from "./result.js";
import { isoOf, localDateOf, localMidnightMs, shiftDate } from "./time.js";
import { priceToTicks, ticksToPrice } from "./units.js";

/** How many days back a slot without a result looks for the same slot of earlier days. */
export const LOOK_BACK_DAYS = 7;

/**
 * The local price of a cleared slot, the one rule every part uses: the first market's uniform
 * clearing price, else the average local price of the first market that traded (pay-as-bid
 * prices each trade; per-source markets clear in turn), else null: nothing traded locally.
 */
export function localPriceOf(r: Pick<SlotResult, "markets">): number | null {
  const first = r.markets[0]?.price;
  if (first !== null && first !== undefined) return first;
  return r.markets.find((m) => m.averagePrice !== null)?.averagePrice ?? null;
}

/** The price a household meets in a cleared slot: the local price, else the utility's retail price. */
export function slotPrice(r: SlotResult): number {
  return localPriceOf(r) ?? r.retailPrice ?? 0;
}

/**
 * A slot's expected local price from the same slot on earlier days that cleared it (`days`, in
 * any order): the mean of the price a household met there, the local price or, on a day that
 * traded nothing locally, the retail price (that day's `retail`; left out where there was
 * none); null where nothing traded locally on any of them. On whole ticks, summed exactly, so
 * the hub, the agents and the simulator get the same figure. A mean and not the latest day:
 * with PV, one day clears at the feed-in tariff and the next, cloudy, at retail, and a
 * flexible device valuing its heat or charge from the latest day alone would only ever bid
 * one bound or the other.
 */
export function expectedLocalPrice(days: readonly { local: number | null; retail: number | null }[]): number | null {
  let sum = 0;
  let n = 0;
  let traded = false;
  for (const d of days) {
    if (d.local !== null) traded = true;
    const met = d.local ?? d.retail;
    if (met === null) continue;
    sum += priceToTicks(met);
    n++;
  }
  return traded && n > 0 ? ticksToPrice(Math.round(sum / n)) : null;
}

/**
 * The forecast of each slot's local price from the community's history, the one rule the hub's
 * price signal and the household agents share: a cleared slot's own local price; else the
 * expected price (`expectedLocalPrice`) over the same slot of the days of the week before
 * that cleared it; null where nothing traded locally there or there is no history yet (the
 * caller puts its own fallback: the retail price to buy, the feed-in tariff to sell).
 */
export function localPriceForecast(
  slotStartsMs: readonly number[],
  commodity: Commodity,
  results: readonly SlotResult[],
): { startMs: number; value: number | null; kind: "cleared" | "forecast" }[] {
  const cleared = new Map<number, { local: number | null; retail: number | null }>();
  for (const r of results)
    if (r.commodity === commodity) cleared.set(Date.parse(r.slot), { local: localPriceOf(r), retail: r.retailPrice });
  return slotStartsMs.map((t) => {
    const own = cleared.get(t);
    if (own !== undefined) return { startMs: t, value: own.local, kind: "cleared" as const };
    const days: { local: number | null; retail: number | null }[] = [];
    for (let d = 1; d <= LOOK_BACK_DAYS; d++) {
      const earlier = cleared.get(t - d * DAY_MS);
      if (earlier !== undefined) days.push(earlier);
    }
    return { startMs: t, value: expectedLocalPrice(days), kind: "forecast" as const };
  });
}

/** The results a forecast of the slots from `fromMs` to `toMs` draws on: from a week before. */
export function localPriceHistoryWindow(fromMs: number, toMs: number): { from: string; to: string } {
  return { from: isoOf(fromMs - LOOK_BACK_DAYS * DAY_MS), to: isoOf(toMs) };
}

/**
 * The price signal at `nowMs`: the slot under way and every slot to the end of tomorrow in the
 * community's calendar, each marked cleared or forecast. A slot that has cleared carries its
 * price; one that has not is forecast from the same slot of the week before
 * (`expectedLocalPrice`, which follows the daily shape of PV), or the utility's retail price
 * where the community has no such history yet. So a young hub has a whole forecast from its
 * first minute, and it fills with the community's own prices as the days pass.
 */
export function priceSignalAt(
  communityId: CommunityId,
  market: MarketConfig,
  commodity: Commodity,
  nowMs: number,
  results: readonly SlotResult[],
): PriceSignal {
  const len = slotMs(market.slotMinutes);
  const current = slotStartMs(nowMs, market.slotMinutes);
  const today = localDateOf(isoOf(nowMs), market.timeZone);
  const end = localMidnightMs(shiftDate(today, 2), market.timeZone);
  const starts: number[] = [];
  for (let t = current; t < end; t += len) starts.push(t);
  const forecast: PriceSignal["forecast"] = localPriceForecast(starts, commodity, results).map((f) => ({
    start: isoOf(f.startMs),
    value: f.value ?? market.retailPrice,
    kind: f.kind,
  }));
  const now = forecast[0] as PriceSignal["forecast"][number];
  return { communityId, commodity, slot: now.start, price: now.value, kind: now.kind, forecast };
}

/** The results `priceSignalAt` needs: from a week before the slot under way to the end of tomorrow. */
export function priceSignalWindow(market: MarketConfig, nowMs: number): { from: string; to: string } {
  const current = slotStartMs(nowMs, market.slotMinutes);
  const today = localDateOf(isoOf(nowMs), market.timeZone);
  return localPriceHistoryWindow(current, localMidnightMs(shiftDate(today, 2), market.timeZone));
}
