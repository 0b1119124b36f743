import type { Commodity, Mechanism, Side, Source } from "@openlem/protocol";

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
  participantId: string;
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
}

export type MarketName = "all" | Source;

export interface EngineFill {
  orderId: string;
  step: number;
  participantId: string;
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
