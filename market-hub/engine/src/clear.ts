import type { Source } from "@openlem/protocol";
import { clearContinuousBook } from "./clear-continuous.js";
import { effectiveBuy, effectiveSell } from "./effective-price.js";
import { Entries, type SideRows } from "./entries.js";
import { clearPayAsBid } from "./pay-as-bid.js";
import { cancelSelfCrossing } from "./self-trade.js";
import type {
  BookOrder,
  ClearingOutcome,
  EngineFill,
  MarketOutcome,
  MarketParams,
  Match,
  MechanismOutcome,
  Remainder,
} from "./types.js";
import { clearUniform } from "./uniform.js";
import { utilityFill } from "./utility.js";

export interface ClearInput {
  market: MarketParams;
  /** The book of one slot and commodity. */
  orders: readonly BookOrder[];
  /** When the clearing happens: orders outside their validity window at this time sit it out. */
  atMs: number;
  /**
   * Gate closure (default): what is left goes to the utility where the limits allow.
   * false: an intermediate round; the remainders stay in the book for the next one.
   */
  final?: boolean;
}

/** Clears one slot of one commodity with the market's mechanism. Pure and deterministic. */
export function clear(input: ClearInput): ClearingOutcome {
  const { market, atMs } = input;
  const active: BookOrder[] = [];
  const inactiveOrderIds: string[] = [];
  for (const o of input.orders) {
    if (o.commodity !== market.commodity) {
      throw new Error(`order ${o.id} is for ${o.commodity}, but this market clears ${market.commodity}`);
    }
    const from = o.validFromMs ?? Number.NEGATIVE_INFINITY;
    const until = o.validUntilMs ?? Number.POSITIVE_INFINITY;
    if (from <= atMs && atMs < until) active.push(o);
    else inactiveOrderIds.push(o.id);
  }
  const outcome =
    market.mechanism === "continuous" ? clearContinuousBook(market, active, atMs) : clearCallAuction(market, active);
  const final = input.final ?? true;
  const remainders: Remainder[] = [];
  let fromUtilityWh = 0;
  let toUtilityWh = 0;
  outcome.eachLeft((order, step, remainingWh) => {
    const u = final ? utilityFill(order, step, remainingWh, market.tariff) : null;
    if (u) {
      outcome.fills.push(u);
      if (u.side === "buy") fromUtilityWh += u.energyWh;
      else toUtilityWh += u.energyWh;
    } else {
      remainders.push({ orderId: order.id, step, remainingWh });
    }
  });
  return {
    commodity: market.commodity,
    mechanism: market.mechanism,
    markets: outcome.markets,
    fills: outcome.fills,
    matches: outcome.matches,
    localWh: outcome.markets.reduce((s, m) => s + m.localWh, 0),
    fromUtilityWh,
    toUtilityWh,
    inactiveOrderIds,
    selfCrossCancelledWh: outcome.selfCrossCancelledWh,
    remainders,
  };
}

function clearCallAuction(market: MarketParams, orders: readonly BookOrder[]): MechanismOutcome {
  const E = Entries.fromOrders(orders);
  const fills: EngineFill[] = [];
  const matches: Match[] = [];
  const markets: MarketOutcome[] = [];
  let selfCrossCancelledWh = 0;
  const sources: (Source | null)[] = market.mechanism === "per-source" ? [...market.sourceOrder] : [null];
  for (const source of sources) {
    const { buys, sells, demandWh, supplyWh, supplyBySourceWh } = gatherRows(E, market, source);
    let b = buys;
    let s = sells;
    const cancelled = cancelSelfCrossing(E, b, s);
    if (cancelled > 0) {
      selfCrossCancelledWh += cancelled;
      b = compact(E, b);
      s = compact(E, s);
    }
    const name = source ?? "all";
    const m: MarketOutcome = {
      market: name,
      priceTicks: null,
      demandWh,
      supplyWh,
      localWh: 0,
      localValue: 0,
      supplyBySourceWh,
      buyOrders: countOrders(E, b),
      sellOrders: countOrders(E, s),
    };
    if (market.mechanism === "pay-as-bid") {
      for (const x of clearPayAsBid(E, b, s)) {
        const be = b.entry[x.buyRow] as number;
        const se = s.entry[x.sellRow] as number;
        fills.push(localFill(E, market, name, be, x.energyWh, x.priceTicks, source ?? E.sourceOf(se)));
        fills.push(localFill(E, market, name, se, x.energyWh, x.priceTicks, E.sourceOf(se)));
        E.remaining[be] = (E.remaining[be] as number) - x.energyWh;
        E.remaining[se] = (E.remaining[se] as number) - x.energyWh;
        matches.push({
          buyOrderId: orderOf(E, be).id,
          sellOrderId: orderOf(E, se).id,
          energyWh: x.energyWh,
          priceTicks: x.priceTicks,
        });
        m.localWh += x.energyWh;
        m.localValue += x.energyWh * x.priceTicks;
      }
    } else {
      const u = clearUniform(E, b, s, { k: market.uniformPriceK, rule: market.uniformPricing, tariff: market.tariff });
      if (u.price !== null) {
        const price = u.price;
        for (let i = 0; i < b.n; i++) {
          const q = u.buyFill[i] as number;
          if (q === 0) continue;
          const k = b.entry[i] as number;
          fills.push(localFill(E, market, name, k, q, price, source));
          E.remaining[k] = (E.remaining[k] as number) - q;
        }
        for (let i = 0; i < s.n; i++) {
          const q = u.sellFill[i] as number;
          if (q === 0) continue;
          const k = s.entry[i] as number;
          fills.push(localFill(E, market, name, k, q, price, E.sourceOf(k)));
          E.remaining[k] = (E.remaining[k] as number) - q;
        }
        m.priceTicks = price;
        m.localWh = u.volume;
        m.localValue = u.volume * price;
      }
    }
    markets.push(m);
  }
  const eachLeft: MechanismOutcome["eachLeft"] = (visit) => {
    for (let k = 0; k < E.n; k++) {
      const r = E.remaining[k] as number;
      if (r > 0) visit(orderOf(E, k), E.step[k] as number, r);
    }
  };
  return { markets, fills, matches, eachLeft, selfCrossCancelledWh };
}

export function gatherRows(E: Entries, market: MarketParams, source: Source | null) {
  const bEntry = new Int32Array(E.n);
  const bPrice = new Float64Array(E.n);
  const sEntry = new Int32Array(E.n);
  const sPrice = new Float64Array(E.n);
  let nb = 0;
  let ns = 0;
  let demandWh = 0;
  let supplyWh = 0;
  const supplyBySourceWh: Partial<Record<Source, number>> = {};
  const t = market.tariff;
  for (let k = 0; k < E.n; k++) {
    const rem = E.remaining[k] as number;
    if (rem <= 0) continue;
    if (E.isBuy[k] === 1) {
      bEntry[nb] = k;
      bPrice[nb++] = effectiveBuy(source === null ? (E.limit[k] as number) : E.buyLimitFor(k, source), t);
      demandWh += rem;
    } else {
      const src = E.sourceOf(k);
      if (source !== null && src !== source) continue;
      sEntry[ns] = k;
      sPrice[ns++] = effectiveSell(E.limit[k] as number, t);
      supplyWh += rem;
      supplyBySourceWh[src] = (supplyBySourceWh[src] ?? 0) + rem;
    }
  }
  const buys: SideRows = { n: nb, entry: bEntry, price: bPrice };
  const sells: SideRows = { n: ns, entry: sEntry, price: sPrice };
  return { buys, sells, demandWh, supplyWh, supplyBySourceWh };
}

/** Drops rows whose energy self-trade prevention took away. */
function compact(E: Entries, rows: SideRows): SideRows {
  let n = 0;
  for (let i = 0; i < rows.n; i++) {
    if ((E.remaining[rows.entry[i] as number] as number) > 0) {
      rows.entry[n] = rows.entry[i] as number;
      rows.price[n++] = rows.price[i] as number;
    }
  }
  return { n, entry: rows.entry, price: rows.price };
}

function countOrders(E: Entries, rows: SideRows): number {
  let n = 0;
  for (let i = 0; i < rows.n; i++) if (E.step[rows.entry[i] as number] === 0) n++;
  return n;
}

function orderOf(E: Entries, k: number): BookOrder {
  return E.orders[E.order[k] as number] as BookOrder;
}

function localFill(
  E: Entries,
  market: MarketParams,
  name: MarketOutcome["market"],
  k: number,
  energyWh: number,
  priceTicks: number,
  source: Source | null,
): EngineFill {
  const o = orderOf(E, k);
  return {
    orderId: o.id,
    step: E.step[k] as number,
    householdId: o.householdId,
    side: o.side,
    commodity: o.commodity,
    market: name,
    counterparty: "local",
    energyWh,
    priceTicks,
    gridFeeTicks: o.side === "buy" ? (market.tariff?.fee ?? 0) : 0,
    source,
  };
}
