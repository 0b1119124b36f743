import type { Commodity, Mechanism, Side, Source } from "@openlem/protocol";
import type { PriceRule } from "./pricing.js";

/** Engine-side units: energy in Wh, prices in ticks (10^-5 currency/kWh), money in 10^-8 currency. */
export interface BookStep {
  priceTicks: number;
  energyWh: number;
}

/**
 * An order inside the engine. `id` and `seq` are unique within a book: the hub assigns
 * `seq` in arrival order, so it is the time priority and the final tie-break that makes
 * every mechanism independent of the order in which the book is handed over.
 */
export interface BookOrder {
  id: string;
  seq: number;
  householdId: string;
  /**
   * Optional small integer naming the participant (the hub's database row id). Grouping a
   * book by participant, which self-trade prevention needs, is then array indexing instead
   * of hashing a string per order; without it the engine numbers the participants itself.
   */
  householdKey?: number | undefined;
  side: Side;
  commodity: Commodity;
  /** One step for a single-price order; a buy curve falls, a sell curve rises. */
  steps: readonly BookStep[];
  /** What a sell offers; null for buys. */
  source: Source | null;
  /** A buy's own limit per source (per-source markets); unnamed sources use the step price. */
  sourceLimitTicks?: Partial<Record<Source, number>> | undefined;
  validFromMs?: number | undefined;
  validUntilMs?: number | undefined;
}

/** The utility's prices and the fee on local trades, in ticks. */
export interface TariffTicks {
  retail: number;
  feedIn: number;
  fee: number;
}

export interface MarketParams {
  commodity: Commodity;
  mechanism: Mechanism;
  /** null: nobody buys or sells this commodity outside the community. */
  tariff: TariffTicks | null;
  sourceOrder: readonly Source[];
  /** Where a uniform price lies inside the clearing interval (0 … 1; default 0.5). */
  uniformPriceK?: number;
  /** The rule that places a uniform price in the clearing interval (default the k-double auction). */
  uniformPricing?: PriceRule;
}

export type MarketName = "all" | Source;

export interface EngineFill {
  orderId: string;
  step: number;
  householdId: string;
  side: Side;
  commodity: Commodity;
  market: MarketName;
  counterparty: "local" | "utility";
  energyWh: number;
  /** What the seller receives; a local buyer pays this plus gridFeeTicks. */
  priceTicks: number;
  gridFeeTicks: number;
  source: Source | null;
}

/** A bilateral match (pay-as-bid and continuous mechanisms). */
export interface Match {
  buyOrderId: string;
  sellOrderId: string;
  energyWh: number;
  priceTicks: number;
}

export interface MarketOutcome {
  market: MarketName;
  /** Uniform clearing price, or null (nothing traded, or a mechanism that prices each match). */
  priceTicks: number | null;
  demandWh: number;
  supplyWh: number;
  localWh: number;
  /** Exact sum of price x energy over local trades (money units), for average prices. */
  localValue: number;
  supplyBySourceWh: Partial<Record<Source, number>>;
  buyOrders: number;
  sellOrders: number;
}

export interface Remainder {
  orderId: string;
  step: number;
  remainingWh: number;
}

export interface ClearingOutcome {
  commodity: Commodity;
  mechanism: Mechanism;
  markets: MarketOutcome[];
  /** Fills in the order of the input book (the set of fills does not depend on that order). */
  fills: EngineFill[];
  matches: Match[];
  localWh: number;
  fromUtilityWh: number;
  toUtilityWh: number;
  /** Orders outside their validity window at the clearing time. */
  inactiveOrderIds: string[];
  /** Energy removed because a participant's own buy and sell crossed (self-trade prevention). */
  selfCrossCancelledWh: number;
  /** What is left unfilled, step by step: the book for a later round while the orders stay valid. */
  remainders: Remainder[];
}

/**
 * A book as parallel typed arrays, one row per order step: the fast way in for large
 * books (the hub reads them from the database as arrays, the simulator generates them).
 */
export interface BookColumns {
  n: number;
  /** 1 for a buy, 0 for a sell. */
  isBuy: Uint8Array;
  priceTicks: Float64Array;
  energyWh: Float64Array;
  /** Unique per row, smaller = earlier (seq x 256 + step); the deterministic tie-break. */
  tieKey: Float64Array;
  /** Dense participant numbers 0 .. participants - 1. */
  participant: Int32Array;
  participants: number;
  /** Source codes of sells, as in SOURCE_CODES (default: other). */
  source?: Uint8Array;
}

/** The uniform-price outcome of a columnar book, per row. */
export interface ColumnsOutcome {
  priceTicks: number | null;
  localWh: number;
  fromUtilityWh: number;
  toUtilityWh: number;
  selfCrossCancelledWh: number;
  /** Energy each row trades locally, at priceTicks (buyers add the grid fee). */
  local: Float64Array;
  /** Value of each row's local trade, money units (priceTicks × local; the grid fee is apart). */
  localValue: Float64Array;
  /** Energy each row trades with the utility: buys at retail, sells at feed-in. */
  utility: Float64Array;
}

/** What a mechanism hands back before the utility fallback. */
export interface MechanismOutcome {
  markets: MarketOutcome[];
  fills: EngineFill[];
  matches: Match[];
  /** Visits every step with energy left, in book order. */
  eachLeft(visit: (order: BookOrder, step: number, remainingWh: number) => void): void;
  selfCrossCancelledWh: number;
}
