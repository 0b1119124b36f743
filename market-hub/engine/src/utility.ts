import type { BookOrder, EngineFill, TariffTicks } from "./types.js";

/**
 * At gate closure the utility takes what the community did not trade: a buy whose limit
 * reaches the retail price is served at retail, a sell whose ask is at or below the
 * feed-in tariff is taken at feed-in. Orders priced between the two stay unfilled: a
 * boiler that bid 15 ct does not run on 22 ct energy, a battery asking 20 ct keeps its
 * charge.
 */
/** Whether the utility takes the rest of an order: a buy limit at or above retail, an ask at or below feed-in. */
export function utilityTakes(isBuy: boolean, limitTicks: number, tariff: TariffTicks): boolean {
  return isBuy ? limitTicks >= tariff.retail : limitTicks <= tariff.feedIn;
}

export function utilityFill(
  order: BookOrder,
  step: number,
  remainingWh: number,
  tariff: TariffTicks | null,
): EngineFill | null {
  if (!tariff || remainingWh <= 0) return null;
  const limit = (order.steps[step] as { priceTicks: number }).priceTicks;
  const buy = order.side === "buy";
  if (!utilityTakes(buy, limit, tariff)) return null;
  return {
    orderId: order.id,
    step,
    householdId: order.householdId,
    side: order.side,
    commodity: order.commodity,
    market: "all",
    counterparty: "utility",
    energyWh: remainingWh,
    priceTicks: buy ? tariff.retail : tariff.feedIn,
    gridFeeTicks: 0,
    source: buy ? null : (order.source ?? "other"),
  };
}
