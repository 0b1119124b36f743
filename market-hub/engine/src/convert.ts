import {
  type Commodity,
  type Fill,
  type MarketConfig,
  type MarketResult,
  ms,
  type Order,
  orderSteps,
  priceToTicks,
  type SlotResult,
  type Source,
  storedCommunityId,
  storedHouseholdId,
  tariffFor,
  ticksToPrice,
} from "@openlem/protocol";
import type { BookOrder, ClearingOutcome, EngineFill, MarketParams, TariffTicks } from "./types.js";

/** The hub's bookkeeping for an order: its id, arrival sequence and owner. */
export interface OrderMeta {
  id: string;
  seq: number;
  householdId: string;
}

/** Turns a validated wire order into the engine's integer form. */
export function toBookOrder(order: Order, meta: OrderMeta): BookOrder {
  const sourceLimitTicks: Partial<Record<Source, number>> = {};
  let hasSourceLimits = false;
  for (const [source, price] of Object.entries(order.sourceLimits ?? {}) as [Source, number | undefined][]) {
    if (price === undefined) continue;
    sourceLimitTicks[source] = priceToTicks(price);
    hasSourceLimits = true;
  }
  return {
    id: meta.id,
    seq: meta.seq,
    householdId: meta.householdId,
    side: order.side,
    commodity: order.commodity,
    steps: orderSteps(order).map((s) => ({ priceTicks: priceToTicks(s.price), energyWh: s.energyWh })),
    source: order.side === "sell" ? (order.source ?? "other") : null,
    sourceLimitTicks: hasSourceLimits ? sourceLimitTicks : undefined,
    validFromMs: order.validFrom ? ms(order.validFrom) : undefined,
    validUntilMs: order.validUntil ? ms(order.validUntil) : undefined,
  };
}

export function tariffTicks(config: MarketConfig, commodity: Commodity): TariffTicks | null {
  const t = tariffFor(config, commodity);
  if (!t) return null;
  return {
    retail: priceToTicks(t.retailPrice),
    feedIn: priceToTicks(t.feedInTariff),
    fee: priceToTicks(t.localGridFee),
  };
}

/** The engine parameters of a community's market for one commodity. */
export function marketParams(config: MarketConfig, commodity: Commodity): MarketParams {
  return {
    commodity,
    mechanism: config.mechanism,
    tariff: tariffTicks(config, commodity),
    sourceOrder: config.sourceOrder,
    uniformPriceK: config.uniformPriceK,
    uniformPricing: config.uniformPricing,
  };
}

/** The public result of a clearing, as published and served. */
export function toSlotResult(
  outcome: ClearingOutcome,
  meta: { communityId: string; slot: string; clearedAt: string; tariff: TariffTicks | null },
): SlotResult {
  const markets: MarketResult[] = outcome.markets.map((m) => ({
    market: m.market,
    price: m.priceTicks === null ? null : ticksToPrice(m.priceTicks),
    averagePrice: m.localWh > 0 ? ticksToPrice(Math.round(m.localValue / m.localWh)) : null,
    demandWh: m.demandWh,
    supplyWh: m.supplyWh,
    localWh: m.localWh,
    supplyBySourceWh: m.supplyBySourceWh,
    buyOrders: m.buyOrders,
    sellOrders: m.sellOrders,
  }));
  return {
    communityId: storedCommunityId(meta.communityId),
    slot: meta.slot,
    commodity: outcome.commodity,
    mechanism: outcome.mechanism,
    clearedAt: meta.clearedAt,
    markets,
    localWh: outcome.localWh,
    fromUtilityWh: outcome.fromUtilityWh,
    toUtilityWh: outcome.toUtilityWh,
    retailPrice: meta.tariff ? ticksToPrice(meta.tariff.retail) : null,
    feedInTariff: meta.tariff ? ticksToPrice(meta.tariff.feedIn) : null,
    localGridFee: meta.tariff ? ticksToPrice(meta.tariff.fee) : 0,
  };
}

export function toWireFill(f: EngineFill, slot: string): Fill {
  return {
    orderId: f.orderId,
    step: f.step,
    householdId: storedHouseholdId(f.householdId),
    slot,
    commodity: f.commodity,
    market: f.market,
    side: f.side,
    counterparty: f.counterparty,
    energyWh: f.energyWh,
    price: ticksToPrice(f.priceTicks),
    gridFee: ticksToPrice(f.gridFeeTicks),
    source: f.source,
  };
}
