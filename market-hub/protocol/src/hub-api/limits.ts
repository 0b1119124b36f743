/*
 * The most a list answer of the hub holds. A range with more is cut at the limit, and the
 * route's summary (and so the OpenAPI document) says where: ask for a narrower from/to.
 */
export const MAX_LISTED = {
  /** A household's orders, earliest slot first. */
  orders: 5_000,
  /** Clearing results, the latest slots of the range. */
  results: 2_000,
  /** A household's fills, earliest slot first. */
  fills: 10_000,
  /** Orders drawn into one slot's book curves. */
  bookOrders: 100_000,
} as const;

/** "5,000": how a limit reads in a summary. */
export const limitText = (n: number) => n.toLocaleString("en-US");
