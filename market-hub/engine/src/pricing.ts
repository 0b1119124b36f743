/**
 * Where a uniform price lies in the market-clearing interval:
 * - "k-double": at `uniformPriceK` within it (the k-double auction);
 * - "mid-market": as near as it can to the middle of feed-in and retail (the mid-market rate);
 * - "supply-demand-ratio": as near as it can to the price the book's supply-to-demand ratio
 *   gives (the SDR price), retail with no supply, feed-in once supply meets demand.
 * The last two share the gain from each local kWh between the two sides whatever the bids:
 * the price stays between the highest accepted ask and the lowest accepted bid, so nobody pays
 * above their limit or receives below it, and the same orders trade the same volume. Unlike the
 * k-double auction's, the price need not clear the market: with surplus PV, sellers rationed at
 * their ask trade locally at a better price than they asked. docs/engine.md cites the papers.
 */
export type PriceRule = "k-double" | "mid-market" | "supply-demand-ratio";

/**
 * The price a rule aims at (ticks, not rounded), or null where the k-double auction's `k`
 * decides (that rule, or no tariff to share between).
 */
export function priceTarget(
  rule: PriceRule,
  tariff: { retail: number; feedIn: number } | null,
  book: { demandWh: number; supplyWh: number },
): number | null {
  if (rule === "k-double" || !tariff || tariff.feedIn > tariff.retail) return null;
  const { retail, feedIn } = tariff;
  if (rule === "mid-market") return (retail + feedIn) / 2;
  const sdr = book.demandWh > 0 ? book.supplyWh / book.demandWh : Number.POSITIVE_INFINITY;
  if (sdr >= 1) return feedIn;
  // Liu et al. (2017): feed-in × retail / ((retail − feed-in) × SDR + feed-in), from retail at
  // SDR 0 down to feed-in at SDR 1; with a feed-in of zero or less, the straight line between them
  if (feedIn <= 0) return retail - (retail - feedIn) * sdr;
  return (feedIn * retail) / ((retail - feedIn) * sdr + feedIn);
}
