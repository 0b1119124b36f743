import type { TariffTicks } from "./types.js";

/**
 * The price at which a buy competes locally. Nobody rationally pays more locally than the
 * utility's retail price, and the local grid fee comes on top of the local price, so the
 * buyer's local bid is min(limit, retail) - fee. This keeps what the buyer pays at or
 * below both its limit and the retail price.
 */
export function effectiveBuy(limit: number, tariff: TariffTicks | null): number {
  if (!tariff) return limit;
  return Math.min(limit, tariff.retail) - tariff.fee;
}

/** The price at which a sell competes locally: never below what the utility pays (feed-in). */
export function effectiveSell(limit: number, tariff: TariffTicks | null): number {
  if (!tariff) return limit;
  return Math.max(limit, tariff.feedIn);
}
