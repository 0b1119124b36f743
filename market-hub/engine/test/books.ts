import type { BookOrder, ClearingOutcome, EngineFill, MarketParams, TariffTicks } from "@openlem/engine";
import type { Source } from "@openlem/protocol";
import fc from "fast-check";

/** 22 ct retail, 9 ct feed-in (Groene Mient), in ticks of 0.00001/kWh. */
export const TARIFF: TariffTicks = { retail: 22_000, feedIn: 9_000, fee: 0 };

export function params(mechanism: MarketParams["mechanism"], tariff: TariffTicks | null = TARIFF): MarketParams {
  return { commodity: "electricity", mechanism, tariff, sourceOrder: ["pv", "chp", "wind", "battery", "other"] };
}

let nextSeq = 1;

function order(
  side: BookOrder["side"],
  id: string,
  householdId: string,
  energyWh: number,
  priceTicks: number,
  source: Source | null,
  extra: Partial<BookOrder>,
): BookOrder {
  const steps = [{ priceTicks, energyWh }];
  return { id, seq: nextSeq++, householdId, side, commodity: "electricity", steps, source, ...extra };
}

export function buy(
  id: string,
  householdId: string,
  energyWh: number,
  priceTicks: number,
  extra: Partial<BookOrder> = {},
) {
  return order("buy", id, householdId, energyWh, priceTicks, null, extra);
}

export function sell(
  id: string,
  householdId: string,
  energyWh: number,
  priceTicks: number,
  source: Source = "pv",
  extra: Partial<BookOrder> = {},
) {
  return order("sell", id, householdId, energyWh, priceTicks, source, extra);
}

/** Energy per (order, counterparty), for compact assertions. */
export function filled(
  outcome: ClearingOutcome,
  counterparty: EngineFill["counterparty"] = "local",
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of outcome.fills) {
    if (f.counterparty !== counterparty) continue;
    out[f.orderId] = (out[f.orderId] ?? 0) + f.energyWh;
  }
  return out;
}

/** Fills in a canonical order, to compare outcomes regardless of input order. */
export function canonical(fills: readonly EngineFill[]): EngineFill[] {
  const key = (f: EngineFill) =>
    `${f.orderId}|${String(f.step).padStart(3, "0")}|${f.counterparty}|${f.market}|${f.priceTicks}|${f.energyWh}`;
  return [...fills].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const SOURCES: Source[] = ["pv", "chp", "other"];

export interface BookShape {
  participants?: number;
  maxOrders?: number;
  /** Every order from its own participant (no self-trading possible). */
  distinctParticipants?: boolean;
}

/**
 * Random books around the utility's prices: limits from 5 to 30 ct, so some orders sit
 * outside [feed-in, retail]; 1 to 3 steps; per-source limits on some buys.
 */
export function arbBook(shape: BookShape = {}): fc.Arbitrary<BookOrder[]> {
  const step = fc.record({
    priceTicks: fc.integer({ min: 5_000, max: 30_000 }),
    energyWh: fc.integer({ min: 1, max: 3_000 }),
  });
  const raw = fc.record({
    participant: fc.integer({ min: 0, max: (shape.participants ?? 4) - 1 }),
    side: fc.constantFrom("buy" as const, "sell" as const),
    steps: fc.array(step, { minLength: 1, maxLength: 3 }),
    source: fc.constantFrom(...SOURCES),
    sourceLimits: fc.option(fc.dictionary(fc.constantFrom(...SOURCES), fc.integer({ min: 5_000, max: 30_000 })), {
      nil: undefined,
    }),
  });
  return fc.array(raw, { minLength: 0, maxLength: shape.maxOrders ?? 12 }).map((rows) =>
    rows.map((r, i): BookOrder => {
      // Curves must be monotone: buys fall, sells rise, with distinct prices.
      const byPrice = [...new Map(r.steps.map((s) => [s.priceTicks, s])).values()].sort((a, b) =>
        r.side === "buy" ? b.priceTicks - a.priceTicks : a.priceTicks - b.priceTicks,
      );
      return {
        id: `o${i}`,
        seq: i + 1,
        householdId: shape.distinctParticipants ? `p${i}` : `p${r.participant}`,
        side: r.side,
        commodity: "electricity",
        steps: byPrice,
        source: r.side === "sell" ? r.source : null,
        sourceLimitTicks: r.side === "buy" && byPrice.length === 1 ? r.sourceLimits : undefined,
      };
    }),
  );
}

/** A book and the same orders in another order of arrival. */
export function arbShuffledBook(): fc.Arbitrary<[BookOrder[], BookOrder[]]> {
  return arbBook().chain((orders) =>
    fc.tuple(fc.constant(orders), fc.shuffledSubarray(orders, { minLength: orders.length })),
  );
}

export const arbTariff: fc.Arbitrary<TariffTicks> = fc.record({
  retail: fc.integer({ min: 15_000, max: 30_000 }),
  feedIn: fc.integer({ min: 0, max: 12_000 }),
  fee: fc.integer({ min: 0, max: 2_000 }),
});
