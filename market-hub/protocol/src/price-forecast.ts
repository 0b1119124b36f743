import type { Commodity, MarketConfig } from "./market.js";
import type { PriceSignal, SlotResult } from "./result.js";
import { isoOf, localDateOf, localMidnightMs, shiftDate } from "./time.js";

const DAY_MS = 86_400_000;
/** How many days back a slot without a result looks for the same slot of an earlier day. */
const LOOK_BACK_DAYS = 7;

/**
 * The price a household meets in a cleared slot: the market's clearing price, else its
 * average local price, else (nothing traded locally) the utility's retail price.
 */
export function slotPrice(r: SlotResult): number {
  const m = r.markets[0];
  return m?.price ?? m?.averagePrice ?? r.retailPrice ?? 0;
}

/**
 * The price signal at `nowMs`: the slot under way and every slot to the end of tomorrow in the
 * community's calendar, each marked cleared or forecast. A slot that has cleared carries its
 * price; one that has not is forecast as the same slot of the latest earlier day that cleared
 * (up to a week back, which follows the daily shape of PV), or the utility's retail price
 * where the community has no such history yet. So a young hub has a whole forecast from its
 * first minute, and it fills with the community's own prices as the days pass.
 */
export function priceSignalAt(
  communityId: string,
  market: MarketConfig,
  commodity: Commodity,
  nowMs: number,
  results: readonly SlotResult[],
): PriceSignal {
  const len = market.slotMinutes * 60_000;
  const current = Math.floor(nowMs / len) * len;
  const today = localDateOf(isoOf(nowMs), market.timeZone);
  const end = localMidnightMs(shiftDate(today, 2), market.timeZone);
  const cleared = new Map<number, number>();
  for (const r of results) if (r.commodity === commodity) cleared.set(Date.parse(r.slot), slotPrice(r));
  const fallback = market.retailPrice;
  const forecast: PriceSignal["forecast"] = [];
  for (let t = current; t < end; t += len) {
    const own = cleared.get(t);
    if (own !== undefined) {
      forecast.push({ start: isoOf(t), value: own, kind: "cleared" });
      continue;
    }
    let value = fallback;
    for (let d = 1; d <= LOOK_BACK_DAYS; d++) {
      const earlier = cleared.get(t - d * DAY_MS);
      if (earlier !== undefined) {
        value = earlier;
        break;
      }
    }
    forecast.push({ start: isoOf(t), value, kind: "forecast" });
  }
  const now = forecast[0] as PriceSignal["forecast"][number];
  return { communityId, commodity, slot: now.start, price: now.value, kind: now.kind, forecast };
}

/** The results `priceSignalAt` needs: from a week before the slot under way to the end of tomorrow. */
export function priceSignalWindow(market: MarketConfig, nowMs: number): { from: string; to: string } {
  const len = market.slotMinutes * 60_000;
  const current = Math.floor(nowMs / len) * len;
  const today = localDateOf(isoOf(nowMs), market.timeZone);
  return {
    from: isoOf(current - LOOK_BACK_DAYS * DAY_MS),
    to: isoOf(localMidnightMs(shiftDate(today, 2), market.timeZone)),
  };
}
