import { z } from "zod";
import { gateClosedRule, isGateClosed } from "./gate.js";
import { ClientOrderId, HouseholdId } from "./ids.js";
import { Commodity, type MarketConfig, Price, Side, Source } from "./market.js";
import { breaks, type RuleId } from "./rules.js";
import { isSlotStart, ms, UtcInstant } from "./time.js";
import { MAX_ORDER_WH } from "./units.js";

export const EnergyWh = z
  .number()
  .int({ message: "must be a whole number of Wh" })
  .positive({ message: "must be more than 0 Wh" })
  .max(MAX_ORDER_WH, { message: `must not exceed ${MAX_ORDER_WH} Wh` });

/** One step of a curve order: up to `energyWh` more at `price` or better. */
export const PriceStep = z.object({ price: Price, energyWh: EnergyWh });
export type PriceStep = z.infer<typeof PriceStep>;

export const SourceLimits = z.partialRecord(Source, Price, {
  // At run time an unknown key arrives as "unrecognized_keys", which zod's types do not list for records.
  error: (issue) =>
    ["unrecognized_keys", "invalid_key"].includes(issue.code)
      ? `names an unknown source; sources are ${Source.options.join(", ")}`
      : undefined,
});
export type SourceLimits = z.infer<typeof SourceLimits>;

const MAX_STEPS = 24;

const absent = (...fields: string[]) => ({ not: { anyOf: fields.map((f) => ({ required: [f] })) } });
const when = (side: string, then: object) => ({
  if: { required: ["side"], properties: { side: { const: side } } },
  then,
});

/**
 * What an order's fields ask of each other, as JSON Schema says it: a single price
 * (energyWh + limitPrice) or a curve (steps, without sourceLimits); `source` only on sells,
 * `sourceLimits` only on buys.
 */
const ORDER_SHAPE = {
  oneOf: [
    { required: ["energyWh", "limitPrice"], ...absent("steps") },
    { required: ["steps"], ...absent("energyWh", "limitPrice", "sourceLimits") },
  ],
  allOf: [when("buy", absent("source")), when("sell", absent("sourceLimits"))],
};

/**
 * An order as a client submits it. Either a single limit (energyWh + limitPrice) or a
 * curve (steps): a buy curve's prices fall step by step (more energy only when it is
 * cheaper), a sell curve's prices rise.
 */
export const OrderInput = z
  .object({
    clientOrderId: ClientOrderId,
    side: Side,
    commodity: Commodity.default("electricity"),
    /** Delivery slot, named by its UTC start. */
    slot: UtcInstant,
    energyWh: EnergyWh.optional(),
    limitPrice: Price.optional(),
    steps: z.array(PriceStep).min(2).max(MAX_STEPS).optional(),
    /** What a sell offers. Buys leave it out. */
    source: Source.optional(),
    /** A buy's own limit per source for per-source markets; sources not named use limitPrice. */
    sourceLimits: SourceLimits.optional(),
    validFrom: UtcInstant.optional(),
    validUntil: UtcInstant.optional(),
  })
  .superRefine((o, ctx) => {
    // the OpenAPI document says these (ORDER_SHAPE); the checks here are the same rules in words
    const single = o.energyWh !== undefined || o.limitPrice !== undefined;
    if (single && o.steps) {
      ctx.addIssue({
        code: "custom",
        path: ["steps"],
        message: "give either energyWh with limitPrice, or steps, not both",
      });
    } else if (!single && !o.steps) {
      ctx.addIssue({ code: "custom", path: ["energyWh"], message: "is required (or give a curve in steps)" });
    } else if (single) {
      if (o.energyWh === undefined)
        ctx.addIssue({ code: "custom", path: ["energyWh"], message: "is required with limitPrice" });
      if (o.limitPrice === undefined)
        ctx.addIssue({ code: "custom", path: ["limitPrice"], message: "is required with energyWh" });
    }
    if (o.steps && o.sourceLimits)
      ctx.addIssue({ code: "custom", path: ["sourceLimits"], message: "is only allowed on single-price orders" });
    if (o.side === "buy" && o.source !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["source"],
        message: "is only for sells; a buy names sourceLimits instead",
      });
    }
    if (o.side === "sell" && o.sourceLimits !== undefined) {
      ctx.addIssue({ code: "custom", path: ["sourceLimits"], message: "is only for buys" });
    }
    // what JSON Schema cannot compare: 422
    for (let i = 1; i < (o.steps?.length ?? 0); i++) {
      const prev = o.steps?.[i - 1]?.price ?? 0;
      const cur = o.steps?.[i]?.price ?? 0;
      if (o.side === "buy" ? cur >= prev : cur <= prev)
        breaks(
          ctx,
          "curve-direction",
          ["steps", i, "price"],
          o.side === "buy"
            ? "must be lower than the previous step's price (a buy curve falls)"
            : "must be higher than the previous step's price (a sell curve rises)",
        );
    }
    if (o.validFrom && o.validUntil && ms(o.validFrom) >= ms(o.validUntil))
      breaks(ctx, "valid-window", ["validUntil"], "must be after validFrom");
  })
  .meta(ORDER_SHAPE);
export type OrderInput = z.input<typeof OrderInput>;
export type Order = z.output<typeof OrderInput>;

/** A batch submission: up to 1,000 orders, accepted or refused as a whole. */
export const OrderBatch = z.object({ orders: z.array(OrderInput).min(1).max(1000) });
export type OrderBatch = z.output<typeof OrderBatch>;

export const OrderStatus = z.enum(["open", "partially-filled", "filled", "cancelled", "expired"]);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** An order as the hub stores and lists it. */
export const OrderRecord = z.object({
  id: z.string().min(1),
  householdId: HouseholdId,
  order: OrderInput,
  status: OrderStatus,
  filledWh: z.number().int().min(0),
  submittedAt: UtcInstant,
});
export type OrderRecord = z.output<typeof OrderRecord>;

/** Steps of an order, a single-price order being one step. */
/** What an order's energy is made of: its steps, or its single price and energy. */
type OrderShape = Pick<Order, "steps" | "energyWh" | "limitPrice">;

export function orderSteps(o: OrderShape): PriceStep[] {
  if (o.steps) return o.steps;
  return [{ price: o.limitPrice ?? 0, energyWh: o.energyWh ?? 0 }];
}

export function orderEnergyWh(o: OrderShape): number {
  return orderSteps(o).reduce((s, st) => s + st.energyWh, 0);
}

export interface RuleViolation {
  path: (string | number)[];
  message: string;
  rule: RuleId;
}

/**
 * Checks an order against a community's rules: slot alignment, gate closure at `now`,
 * prices between floor and cap, and a tariff for the commodity. Returns the violations.
 */
export function checkOrderForMarket(o: Order, market: MarketConfig, now: string): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (market.mode === "ex-post") {
    out.push({
      path: ["side"],
      message: "this community clears ex post from standing preferences and metered energy: set a preference instead",
      rule: "orders-ex-ante",
    });
  }
  if (!isSlotStart(o.slot, market.slotMinutes)) {
    out.push({
      path: ["slot"],
      message: `must start a ${market.slotMinutes}-minute slot (e.g. on :00, :15, :30, :45)`,
      rule: "slot-start",
    });
  }
  if (isGateClosed(o.slot, market, ms(now)))
    out.push({ path: ["slot"], message: gateClosedRule(o.slot, market), rule: "gate-open" });
  const check = (price: number, path: (string | number)[]) => {
    if (price < market.priceFloor || price > market.priceCap) {
      out.push({
        path,
        message: `must lie between the price floor ${market.priceFloor} and cap ${market.priceCap}`,
        rule: "price-within-bounds",
      });
    }
  };
  if (o.steps) {
    for (const [i, st] of o.steps.entries()) check(st.price, ["steps", i, "price"]);
  } else if (o.limitPrice !== undefined) check(o.limitPrice, ["limitPrice"]);
  for (const [source, price] of Object.entries(o.sourceLimits ?? {})) {
    if (price !== undefined) check(price, ["sourceLimits", source]);
  }
  if (o.validUntil && ms(o.validUntil) <= ms(now)) {
    out.push({ path: ["validUntil"], message: "is already past", rule: "not-expired" });
  }
  return out;
}

/**
 * A household's standing price preference for the ex-post mode (Landau): the prices it
 * accepts; its quantities come from its meters after delivery.
 */
export const StandingPreference = z
  .object({
    commodity: Commodity.default("electricity"),
    maxBuyPrice: Price.nullable().default(null),
    minSellPrice: Price.nullable().default(null),
    sourceLimits: SourceLimits.optional(),
    /** What the household's generation is, used for its ex-post sells. */
    source: Source.default("other"),
    validFrom: UtcInstant.optional(),
    validUntil: UtcInstant.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.maxBuyPrice === null && p.minSellPrice === null) {
      ctx.addIssue({ code: "custom", path: ["maxBuyPrice"], message: "set maxBuyPrice, minSellPrice or both" });
    }
    if (p.validFrom && p.validUntil && ms(p.validFrom) >= ms(p.validUntil))
      breaks(ctx, "valid-window", ["validUntil"], "must be after validFrom");
  })
  // the first rule above, as JSON Schema says it
  .meta({
    anyOf: ["maxBuyPrice", "minSellPrice"].map((k) => ({ required: [k], properties: { [k]: { type: "number" } } })),
  });
export type StandingPreferenceInput = z.input<typeof StandingPreference>;
export type StandingPreference = z.output<typeof StandingPreference>;

/** One point of an aggregated curve: at this price, this much energy in all (Wh). */
export const CurvePoint = z.object({ price: Price, cumulativeWh: z.number().int().min(0) });

/**
 * The order book of one slot as the operator sees it, aggregated (no household named): the
 * demand curve (buys, dearest first) and the supply curve (sells, cheapest first). Where they
 * cross, the uniform price lies.
 */
export const BookCurves = z.object({
  slot: UtcInstant,
  commodity: Commodity,
  buyOrders: z.number().int().min(0),
  sellOrders: z.number().int().min(0),
  demand: z.array(CurvePoint),
  supply: z.array(CurvePoint),
});
export type BookCurves = z.output<typeof BookCurves>;

/** Aggregates open orders' steps into the demand and supply curves of a slot. */
export function bookCurves(
  slot: string,
  commodity: z.output<typeof Commodity>,
  orders: readonly z.output<typeof OrderInput>[],
): BookCurves {
  const steps = (side: "buy" | "sell") =>
    orders
      .filter((o) => o.side === side)
      .flatMap((o) => o.steps ?? [{ price: o.limitPrice ?? 0, energyWh: o.energyWh ?? 0 }]);
  const curve = (side: "buy" | "sell") => {
    const byPrice = new Map<number, number>();
    for (const s of steps(side)) byPrice.set(s.price, (byPrice.get(s.price) ?? 0) + s.energyWh);
    const prices = [...byPrice.keys()].sort((a, b) => (side === "buy" ? b - a : a - b));
    let total = 0;
    return prices.map((price) => {
      total += byPrice.get(price) ?? 0;
      return { price, cumulativeWh: total };
    });
  };
  return {
    slot,
    commodity,
    buyOrders: orders.filter((o) => o.side === "buy").length,
    sellOrders: orders.filter((o) => o.side === "sell").length,
    demand: curve("buy"),
    supply: curve("sell"),
  };
}
