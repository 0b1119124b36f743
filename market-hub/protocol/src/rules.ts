import type { z } from "zod";

/**
 * The rules a request can break although it has the OpenAPI document's shape: the ones
 * between fields that JSON Schema cannot compare, and the ones against what the hub holds
 * (its clock, the community's market, stored orders and readings). Breaking one of these is a
 * 422 naming the field; breaking what the document says is a 400. docs/reliability.md lists
 * them, checked against this table by test-support's rules test.
 */
/** Between fields of one request, or a number JSON Schema cannot say exactly. */
export const RULES_WITHIN_REQUEST = {
  "price-tick":
    "a price has at most 5 decimals (multipleOf cannot say it for binary fractions: 0.3 is no exact multiple of 0.00001)",
  "time-zone-known": "a time zone of the right shape exists in the hub's time-zone database",
  "feed-in-at-most-retail": "a tariff's feed-in price does not exceed its retail price",
  "floor-below-cap": "a market's price floor lies below its cap",
  "floor-at-most-feed-in": "a market's price floor does not exceed its feed-in tariff",
  "cap-at-least-retail": "a market's price cap is not below its retail price",
  "heat-within-bounds": "a heat tariff lies between the market's floor and cap",
  "curve-direction": "a buy curve's prices fall step by step, a sell curve's rise",
  "valid-window": "validUntil comes after validFrom",
} as const;

/** Against what the hub holds: its clock, the community's market, stored orders, readings and meters. */
export const RULES_AGAINST_STATE = {
  "orders-ex-ante": "orders go to communities that clear ex ante (ex post takes standing preferences)",
  "slot-start": "an order's slot starts a slot of the community's length",
  "gate-open": "an order's slot is still open (its gate has not closed)",
  "slot-not-cleared": "an order's slot has not been cleared already",
  "price-within-bounds": "an order's or preference's prices lie between the community's floor and cap",
  "not-expired": "an order's validUntil is not already past",
  "client-order-id-once": "a batch names each clientOrderId once",
  "client-order-id-kept": "a replacement keeps the order's clientOrderId",
  "meter-in-community": "a reading's meter belongs to the community",
  "meter-yours": "a reading's meter belongs to a household the caller reports for",
  "reading-time-plausible": "a reading's time lies near the hub's clock",
  "reading-unchanged": "a reading already stored keeps its register values",
  "pin-matches": "a meter's id and PIN match",
  "pin-not-locked": "a meter's PIN has not taken too many wrong guesses",
} as const;

export const RULES_BEYOND_SCHEMA = { ...RULES_WITHIN_REQUEST, ...RULES_AGAINST_STATE } as const;
export type RuleId = keyof typeof RULES_BEYOND_SCHEMA;

export function isRuleId(x: unknown): x is RuleId {
  return typeof x === "string" && Object.hasOwn(RULES_BEYOND_SCHEMA, x);
}

/** What a zod check carries so that breaking it is a 422 for `rule` (a check without it is a 400). */
export function beyondSchema(rule: RuleId): { params: { rule: RuleId } } {
  return { params: { rule } };
}

/** Adds an issue for a rule between fields, in a superRefine. */
export function breaks(ctx: z.RefinementCtx, rule: RuleId, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: "custom", path, message, ...beyondSchema(rule) });
}
