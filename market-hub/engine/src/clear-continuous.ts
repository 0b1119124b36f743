import type { Source } from "@openlem/protocol";
import { ContinuousBook, type ContinuousTrade } from "./continuous.js";
import type { BookOrder, EngineFill, MarketOutcome, MarketParams, MechanismOutcome } from "./types.js";

/** Runs a book through continuous matching in time priority (seq) and reports like a call auction. */
export function clearContinuousBook(
  market: MarketParams,
  orders: readonly BookOrder[],
  atMs: number,
): MechanismOutcome {
  const sorted = [...orders].sort((a, b) => a.seq - b.seq);
  const book = new ContinuousBook(market.tariff);
  const trades: ContinuousTrade[] = [];
  for (const o of sorted) book.submit(o, atMs, trades);
  const fee = market.tariff?.fee ?? 0;
  const fills: EngineFill[] = [];
  const m: MarketOutcome = {
    market: "all",
    priceTicks: null,
    demandWh: 0,
    supplyWh: 0,
    localWh: 0,
    localValue: 0,
    supplyBySourceWh: {},
    buyOrders: 0,
    sellOrders: 0,
  };
  for (const o of sorted) {
    const energy = o.steps.reduce((s, st) => s + st.energyWh, 0);
    if (o.side === "buy") {
      m.demandWh += energy;
      m.buyOrders++;
    } else {
      const src: Source = o.source ?? "other";
      m.supplyWh += energy;
      m.sellOrders++;
      m.supplyBySourceWh[src] = (m.supplyBySourceWh[src] ?? 0) + energy;
    }
  }
  const matches = trades.map((t) => {
    const source = t.sell.source ?? "other";
    fills.push(fillOf(t.buy, t.buyStep, t, fee, source), fillOf(t.sell, t.sellStep, t, 0, source));
    m.localWh += t.energyWh;
    m.localValue += t.energyWh * t.priceTicks;
    return { buyOrderId: t.buy.id, sellOrderId: t.sell.id, energyWh: t.energyWh, priceTicks: t.priceTicks };
  });
  const eachLeft: MechanismOutcome["eachLeft"] = (visit) => {
    for (const s of book.steps()) if (s.remaining > 0) visit(s.order, s.step, s.remaining);
  };
  return { markets: [m], fills, matches, eachLeft, selfCrossCancelledWh: 0 };
}

function fillOf(o: BookOrder, step: number, t: ContinuousTrade, fee: number, source: Source): EngineFill {
  return {
    orderId: o.id,
    step,
    householdId: o.householdId,
    side: o.side,
    commodity: o.commodity,
    market: "all",
    counterparty: "local",
    energyWh: t.energyWh,
    priceTicks: t.priceTicks,
    gridFeeTicks: fee,
    source,
  };
}
