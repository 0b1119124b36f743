import { z } from "zod";
import { CommunityId, HouseholdId } from "./ids.js";
import { Commodity, Mechanism, Price, Side, Source } from "./market.js";
import { UtcInstant } from "./time.js";

const Wh = z.number().int().min(0);

/** "all" for a single market; a source for per-source markets (Landau cleared "pv" then "chp"). */
export const MarketName = z.union([z.literal("all"), Source]);
export type MarketName = z.infer<typeof MarketName>;

/** The public outcome of one market in one slot: prices and volumes, no participants. */
export const MarketResult = z.object({
  market: MarketName,
  /** The uniform clearing price; null when nothing traded locally or the mechanism prices each trade. */
  price: Price.nullable(),
  /** Volume-weighted average local price, rounded to a whole tick; null when nothing traded locally. */
  averagePrice: Price.nullable(),
  demandWh: Wh,
  supplyWh: Wh,
  localWh: Wh,
  supplyBySourceWh: z.partialRecord(Source, Wh),
  buyOrders: z.number().int().min(0),
  sellOrders: z.number().int().min(0),
});
export type MarketResult = z.infer<typeof MarketResult>;

/** The public result of one slot and commodity: published retained on MQTT and served over REST. */
export const SlotResult = z.object({
  communityId: CommunityId,
  slot: UtcInstant,
  commodity: Commodity,
  mechanism: Mechanism,
  clearedAt: UtcInstant,
  markets: z.array(MarketResult),
  localWh: Wh,
  fromUtilityWh: Wh,
  toUtilityWh: Wh,
  retailPrice: Price.nullable(),
  feedInTariff: Price.nullable(),
  localGridFee: Price,
});
export type SlotResult = z.output<typeof SlotResult>;

export const Counterparty = z.enum(["local", "utility"]);
export type Counterparty = z.infer<typeof Counterparty>;

/**
 * One fill of one order: private to its participant. A buyer pays price + gridFee per kWh
 * on local fills; a seller receives price.
 */
export const Fill = z.object({
  orderId: z.string().min(1),
  step: z.number().int().min(0),
  householdId: HouseholdId,
  slot: UtcInstant,
  commodity: Commodity,
  market: MarketName,
  side: Side,
  counterparty: Counterparty,
  energyWh: Wh,
  price: Price,
  gridFee: Price,
  /** The source of the energy for sells, and for buys in a per-source market. */
  source: Source.nullable(),
});
export type Fill = z.output<typeof Fill>;

/** One participant's fills in one slot, published on their private topic. */
export const HouseholdTrades = z.object({
  communityId: CommunityId,
  householdId: HouseholdId,
  slot: UtcInstant,
  fills: z.array(Fill),
});
export type HouseholdTrades = z.output<typeof HouseholdTrades>;

/** Current price and forecast, published retained. Forecast entries are slot starts with prices. */
export const PriceSignal = z.object({
  communityId: CommunityId,
  commodity: Commodity,
  slot: UtcInstant,
  price: Price,
  /** "cleared" once the slot cleared, otherwise the hub's forecast. */
  kind: z.enum(["cleared", "forecast"]),
  forecast: z.array(z.object({ start: UtcInstant, value: Price, kind: z.enum(["cleared", "forecast"]) })),
});
export type PriceSignal = z.output<typeof PriceSignal>;
