import { type PriceStep, TICKS_PER_CURRENCY_PER_KWH, ticksToPrice } from "@openlem/protocol";

/** The part of a plan a slot's bid is made from (the agent's memory arrays, one entry a slot). */
export interface PlanSlots {
  minutes: number;
  batteryW: readonly number[];
  boilerOn: readonly boolean[];
  evW: readonly number[];
  netLoadWh: readonly number[];
  /** How far the net load may stray (`HouseholdForecast.netLoadSpreadWh`; none: known exactly). */
  netLoadSpreadWh?: readonly number[];
  /** The price forecast the plan was made on; null where unknown. */
  buyPrice: readonly (number | null)[];
}

export interface BidBounds {
  /** What the household pays at most (its limit, at most the retail price). */
  buyLimit: number;
  /** What it takes at least for plain PV (its limit, at least the feed-in tariff). */
  sellLimit: number;
  feedIn: number;
  retail: number;
  heaterW: number;
  /** The battery's round-trip efficiency (1 without a battery). */
  roundTrip: number;
}

/** One slot's bid: a buy curve (prices falling) or a sell curve (prices rising), or nothing. */
export interface SlotBid {
  side: "buy" | "sell" | null;
  steps: PriceStep[];
  /** What each step is for, in the steps' order ("house", "boiler", "battery", "pv"). */
  uses: string[];
}

/** The nearest price the market takes (a tick is 0.00001 per kWh). */
const tick = (p: number) => ticksToPrice(Math.round(p * TICKS_PER_CURRENCY_PER_KWH));
const clamp = (p: number, lo: number, hi: number) => tick(Math.min(hi, Math.max(lo, p)));
/** What each slot's flexible energy is worth under a plan (currency/kWh, one entry a slot). */
export interface PlanValues {
  boiler: Float64Array;
  charge: Float64Array;
  discharge: Float64Array;
}

/**
 * Every slot's values at once, from the later slots' prices (one pass from the end, so a
 * household bidding every slot costs a pass a plan, not a pass a slot):
 * - heating in slot i is worth what heating in the next-best later slot would cost (the
 *   cheapest later slot the plan leaves the element off in, never less than slot i's own
 *   forecast); without a forecast, the buy limit;
 * - a kWh charged in slot i is worth the mean price it avoids later (the slots the plan
 *   discharges in; failing those, the dearest later slot), less the round trip's losses;
 * - a kWh discharged into the grid in slot i must fetch what putting it back costs later (the
 *   cheapest later price, with the round trip's losses), at least the sell limit.
 * All within the household's bounds, on whole ticks. Unknown prices are left out.
 */
export function planValues(s: PlanSlots, b: BidBounds): PlanValues {
  const n = s.buyPrice.length;
  const v: PlanValues = { boiler: new Float64Array(n), charge: new Float64Array(n), discharge: new Float64Array(n) };
  // over the slots after i: the cheapest with the element off, the cheapest and dearest, the discharge slots' sum
  let offMin = Number.POSITIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let useTicks = 0;
  let useCount = 0;
  for (let i = n - 1; i >= 0; i--) {
    const own = s.buyPrice[i];
    v.boiler[i] =
      offMin === Number.POSITIVE_INFINITY || own === null || own === undefined
        ? tick(b.buyLimit)
        : clamp(Math.max(own, offMin), b.feedIn, b.buyLimit);
    // in ticks, summed exactly: the mean is the same in whatever order the slots come
    const worth = useCount > 0 ? useTicks / useCount / TICKS_PER_CURRENCY_PER_KWH : max;
    v.charge[i] =
      worth === Number.NEGATIVE_INFINITY ? tick(b.buyLimit) : clamp(b.roundTrip * worth, b.feedIn, b.buyLimit);
    v.discharge[i] =
      min === Number.POSITIVE_INFINITY ? tick(b.sellLimit) : clamp(min / b.roundTrip, b.sellLimit, b.retail);
    if (own === null || own === undefined || !Number.isFinite(own)) continue;
    if (!s.boilerOn[i]) offMin = Math.min(offMin, own);
    min = Math.min(min, own);
    max = Math.max(max, own);
    if ((s.batteryW[i] ?? 0) > 0) {
      useTicks += Math.round(own * TICKS_PER_CURRENCY_PER_KWH);
      useCount++;
    }
  }
  return v;
}

/** Adds a step, merging it into the last one at the same price; steps of no energy are left out. */
function push(bid: SlotBid, price: number, energyWh: number, use: string): void {
  if (energyWh <= 0) return;
  const last = bid.steps.at(-1);
  if (last && last.price === price) {
    last.energyWh += energyWh;
    bid.uses[bid.uses.length - 1] += `+${use}`;
    return;
  }
  bid.steps.push({ price, energyWh });
  bid.uses.push(use);
}

/** What a slot's devices do as the bid is made: the plan's, or a decision that safety may have changed. */
export interface SlotUse {
  batteryW: number;
  boilerOn: boolean;
  evW: number;
  /** The house's own net load (+ import), without the devices the plan steers. */
  netLoadWh: number;
  /** How far it may stray (Wh; 0: known exactly). */
  netLoadSpreadWh?: number;
  /** The boiler heats for safety (a cold tank, legionella), not for the plan: it is bid as the house's need. */
  boilerMustRun?: boolean;
}

/** Slot `i`'s devices as the plan has them. */
export function planUse(s: PlanSlots, i: number): SlotUse {
  return {
    batteryW: s.batteryW[i] ?? 0,
    boilerOn: s.boilerOn[i] ?? false,
    evW: s.evW[i] ?? 0,
    netLoadWh: s.netLoadWh[i] ?? 0,
    netLoadSpreadWh: s.netLoadSpreadWh?.[i] ?? 0,
  };
}

/** The critical ratio is kept off 0 and 1, where a Laplace quantile runs off to infinity. */
const MIN_RATIO = 0.02;

/**
 * How much of the house's own uncertain net load to bid, the quantile that loses least (the
 * newsvendor's): a kWh bought and not used goes back at the feed-in tariff after costing the
 * local price p, one used and not bought comes at retail, so the best buy is the
 * (retail − p) / (retail − feed-in) quantile of the net load; a surplus sold and not made is
 * bought at retail, one made and not sold goes at feed-in, which is the same quantile of the
 * net load. So where the local price is expected at retail a house bids little of its need,
 * where it is expected at feed-in little of its surplus. The error is taken as Laplace, the
 * spread (a mean absolute deviation) as its scale. The bid is never more than the forecast
 * itself, nor across zero: every house shading the same way moves the price against it, and
 * bidding past the forecast where the ratio allows it (measured on the Groene Mient year with
 * forecast error) doubled the deviations and left every household paying more than with the
 * utility alone. With no spread, the net load itself.
 */
export function houseBidWh(
  netLoadWh: number,
  spreadWh: number,
  price: number | null | undefined,
  b: Pick<BidBounds, "retail" | "feedIn">,
): number {
  if (!(spreadWh > 0) || !(b.retail > b.feedIn)) return netLoadWh;
  const p = price === null || price === undefined || !Number.isFinite(price) ? b.retail : price;
  const ratio = Math.min(1 - MIN_RATIO, Math.max(MIN_RATIO, (b.retail - p) / (b.retail - b.feedIn)));
  const q = ratio < 0.5 ? netLoadWh + spreadWh * Math.log(2 * ratio) : netLoadWh - spreadWh * Math.log(2 * (1 - ratio));
  return Math.round(netLoadWh >= 0 ? Math.max(0, Math.min(netLoadWh, q)) : Math.min(0, Math.max(netLoadWh, q)));
}

/**
 * The bid for plan slot `i`, as the household's demand or supply curve: what the house needs
 * whatever it costs (its load, the EV's charge, heat that safety asks for) at the buy limit,
 * then each flexible use at its own value, dearest first, so that a partial fill leaves out
 * the least valuable; the PV surplus at the sell limit, then the battery's discharge at its
 * ask. The energy adds up to the slot's net energy under `use` (the plan's by default), the
 * house's own net load taken as much of it as is best to bid where it is uncertain (`houseBidWh`).
 */
export function slotBid(
  s: PlanSlots,
  i: number,
  b: BidBounds,
  use: SlotUse = planUse(s, i),
  values: PlanValues = planValues(s, b),
): SlotBid {
  const slotH = s.minutes / 60;
  const batteryW = use.batteryW;
  const dischargeWh = Math.max(0, batteryW) * slotH;
  const heatWh = use.boilerOn ? b.heaterW * slotH : 0;
  const boilerWh = use.boilerMustRun ? 0 : heatWh;
  const chargeWh = Math.max(0, -batteryW) * slotH;
  const ownWh = houseBidWh(use.netLoadWh, use.netLoadSpreadWh ?? 0, s.buyPrice[i], b);
  const houseWh = ownWh + use.evW * slotH + (use.boilerMustRun ? heatWh : 0);
  const netWh = Math.round(houseWh + boilerWh + chargeWh - dischargeWh);
  const bid: SlotBid = { side: null, steps: [], uses: [] };
  if (netWh > 0) {
    bid.side = "buy";
    const flexible = [
      { use: "boiler", wh: boilerWh, value: values.boiler[i] ?? tick(b.buyLimit) },
      { use: "battery", wh: chargeWh, value: values.charge[i] ?? tick(b.buyLimit) },
    ]
      .filter((f) => f.wh > 0)
      .sort((x, y) => y.value - x.value);
    let cumulative = Math.max(0, Math.round(houseWh - dischargeWh));
    push(bid, tick(b.buyLimit), cumulative, "house");
    let wh = houseWh - dischargeWh;
    for (const f of flexible) {
      wh += f.wh;
      const next = Math.max(0, Math.round(wh));
      push(bid, Math.min(f.value, tick(b.buyLimit)), next - cumulative, f.use);
      cumulative = next;
    }
  } else if (netWh < 0) {
    bid.side = "sell";
    const pvWh = Math.max(0, Math.round(-(houseWh + boilerWh + chargeWh)));
    push(bid, tick(b.sellLimit), Math.min(pvWh, -netWh), "pv");
    push(
      bid,
      Math.max(values.discharge[i] ?? tick(b.sellLimit), tick(b.sellLimit)),
      -netWh - Math.min(pvWh, -netWh),
      "battery",
    );
  }
  return bid;
}
