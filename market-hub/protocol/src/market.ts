import { z } from "zod";
import { slotStartMs } from "./durations.js";
import { gateClosesAtMs, lastClearableSlotMs, nextOpenSlotMs } from "./gate.js";
import { CommunityId } from "./ids.js";
import { beyondSchema, breaks } from "./rules.js";
import { TimeZone, UtcInstant } from "./time.js";
import { isTickAligned, MAX_ABS_PRICE_TICKS, TICKS_PER_CURRENCY_PER_KWH } from "./units.js";

const MAX_ABS_PRICE = MAX_ABS_PRICE_TICKS / TICKS_PER_CURRENCY_PER_KWH;

/** A price in currency per kWh with at most 5 decimals (the tick is 0.00001/kWh). */
export const Price = z
  .number({ message: "must be a number in currency per kWh, e.g. 0.22" })
  .min(-MAX_ABS_PRICE, { message: `must lie between -${MAX_ABS_PRICE} and ${MAX_ABS_PRICE}` })
  .max(MAX_ABS_PRICE, { message: `must lie between -${MAX_ABS_PRICE} and ${MAX_ABS_PRICE}` })
  .refine(isTickAligned, {
    message: "must have at most 5 decimal places (the tick is 0.00001 per kWh)",
    ...beyondSchema("price-tick"),
  });
export type Price = z.infer<typeof Price>;

export const Side = z.enum(["buy", "sell"]);
export type Side = z.infer<typeof Side>;

export const Commodity = z.enum(["electricity", "heat"]);
export type Commodity = z.infer<typeof Commodity>;

export const Source = z.enum(["pv", "chp", "wind", "battery", "other"]);
export type Source = z.infer<typeof Source>;
export const SOURCES = Source.options;

export const Mechanism = z.enum(["uniform", "pay-as-bid", "per-source", "continuous"]);
export type Mechanism = z.infer<typeof Mechanism>;

export const UniformPricing = z.enum(["k-double", "mid-market", "supply-demand-ratio"]);
export type UniformPricing = z.infer<typeof UniformPricing>;

export const SettlementMode = z.enum(["ex-ante", "ex-post"]);
export type SettlementMode = z.infer<typeof SettlementMode>;

/** A fee on local trades: a price that is never negative. */
const GridFee = Price.min(0, { message: "must not be negative" }).default(0);

/** What the utility charges and pays for one commodity, and the fee on local trades. */
export const Tariff = z
  .object({
    retailPrice: Price,
    feedInTariff: Price,
    localGridFee: GridFee,
  })
  .superRefine((t, ctx) => {
    if (t.feedInTariff > t.retailPrice)
      breaks(ctx, "feed-in-at-most-retail", ["feedInTariff"], "must not exceed retailPrice");
  });
export type Tariff = z.output<typeof Tariff>;

/** The slot lengths that divide a day evenly, as the OpenAPI document lists them. */
export const SLOT_MINUTES = Array.from({ length: 1440 }, (_, i) => i + 1).filter((m) => 1440 % m === 0);

const SlotMinutes = z
  .number()
  .int({ message: "must be a whole number of minutes" })
  .refine((m) => SLOT_MINUTES.includes(m), { message: "must divide a day evenly (1, 5, 15, 30, 60 ... 1440 minutes)" })
  .meta({ enum: SLOT_MINUTES });

/**
 * A community's market rules. Prices are in `currency` per kWh; every local price a
 * mechanism forms lies between the feed-in tariff and the retail price, because the
 * utility is always there to buy and sell at those.
 */
export const MarketConfig = z
  .object({
    slotMinutes: SlotMinutes.default(15),
    /** Orders for a slot are accepted until this many minutes before the slot starts. */
    gateClosureMinutes: z.number().int().min(0).max(1440).default(5),
    timeZone: TimeZone,
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { message: "must be an ISO 4217 code such as EUR" })
      .default("EUR"),
    mechanism: Mechanism.default("uniform"),
    /**
     * Where a uniform price lies inside the market-clearing interval (the k-double auction):
     * 0 at its low end (what the accepted sellers ask), 1 at its high end (what the accepted
     * buyers bid), 0.5 in the middle.
     */
    uniformPriceK: z.number().min(0).max(1).default(0.5),
    /**
     * How a uniform price is placed in the market-clearing interval: the k-double auction
     * ("k-double", at uniformPriceK), the mid-market rate between feed-in and retail
     * ("mid-market"), or the supply–demand-ratio price ("supply-demand-ratio"). Each keeps the
     * price in the interval, so it clears the market. docs/engine.md has the rules and papers.
     */
    uniformPricing: UniformPricing.default("k-double"),
    /** Per-source markets are cleared in this order (Landau cleared PV before CHP). */
    sourceOrder: z
      .array(Source)
      .min(1)
      .refine((a) => new Set(a).size === a.length, { message: "must not repeat a source" })
      .meta({ uniqueItems: true })
      .default(["pv", "wind", "chp", "battery", "other"]),
    mode: SettlementMode.default("ex-ante"),
    /** Ex-post mode: a slot clears this many minutes after it ends, when its readings are in. */
    expostDelayMinutes: z.number().int().min(0).max(1440).default(15),
    retailPrice: Price,
    feedInTariff: Price,
    localGridFee: GridFee,
    priceFloor: Price,
    priceCap: Price,
    /** Tariff for heat; null when no utility buys or sells heat (unmatched heat stays unmatched). */
    heat: Tariff.nullable().default(null),
  })
  .superRefine((c, ctx) => {
    if (c.feedInTariff > c.retailPrice)
      breaks(ctx, "feed-in-at-most-retail", ["feedInTariff"], "must not exceed retailPrice");
    if (c.priceFloor >= c.priceCap) breaks(ctx, "floor-below-cap", ["priceFloor"], "must be below priceCap");
    if (c.priceFloor > c.feedInTariff)
      breaks(
        ctx,
        "floor-at-most-feed-in",
        ["priceFloor"],
        "must not exceed feedInTariff, so sellers can offer at the utility's price",
      );
    if (c.priceCap < c.retailPrice)
      breaks(
        ctx,
        "cap-at-least-retail",
        ["priceCap"],
        "must not be below retailPrice, so buyers can bid the utility's price",
      );
    if (c.heat) {
      for (const key of ["retailPrice", "feedInTariff"] as const) {
        const v = c.heat[key];
        if (v < c.priceFloor || v > c.priceCap)
          breaks(ctx, "heat-within-bounds", ["heat", key], "must lie between priceFloor and priceCap");
      }
    }
  });
export type MarketConfig = z.output<typeof MarketConfig>;
export type MarketConfigInput = z.input<typeof MarketConfig>;

/** The tariff that applies to a commodity, or null when the utility does not trade it. */
export function tariffFor(config: MarketConfig, commodity: Commodity): Tariff | null {
  if (commodity === "heat") return config.heat;
  return { retailPrice: config.retailPrice, feedInTariff: config.feedInTariff, localGridFee: config.localGridFee };
}

export const Community = z.object({
  id: CommunityId,
  name: z.string().min(1).max(120),
  market: MarketConfig,
});
export type Community = z.output<typeof Community>;
export type CommunityInput = z.input<typeof Community>;

/**
 * The hub's market time and the slots that matter now. A client asks rather than using its
 * own clock: the hub's clock is the one that counts (and runs fast in the demo).
 */
export const MarketClock = z.object({
  communityId: CommunityId,
  now: UtcInstant,
  slotMinutes: z.number().int(),
  mode: SettlementMode,
  /** The slot being delivered now. */
  currentSlot: UtcInstant,
  /** The earliest slot that still takes orders, and when its gate closes. */
  nextOpenSlot: UtcInstant,
  gateClosesAt: UtcInstant,
  /** The latest slot that may be cleared now: its gate closed (ex ante) or its readings are due (ex post). */
  lastClearableSlot: UtcInstant,
});
export type MarketClock = z.output<typeof MarketClock>;

/** The market clock of a community at `now`. */
export function marketClock(communityId: CommunityId, market: MarketConfig, now: Date): MarketClock {
  const t = now.getTime();
  const current = slotStartMs(t, market.slotMinutes);
  const next = nextOpenSlotMs(market, t);
  return {
    communityId,
    now: now.toISOString(),
    slotMinutes: market.slotMinutes,
    mode: market.mode,
    currentSlot: new Date(current).toISOString(),
    nextOpenSlot: new Date(next).toISOString(),
    gateClosesAt: new Date(gateClosesAtMs(next, market)).toISOString(),
    lastClearableSlot: new Date(lastClearableSlotMs(market, t)).toISOString(),
  };
}
