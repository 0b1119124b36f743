import { type PriceStep, TICKS_PER_CURRENCY_PER_KWH, ticksToPrice } from "@openlem/protocol";

/** The part of a plan a slot's bid is made from (the agent's memory arrays, one entry a slot). */
export interface PlanSlots {
  minutes: number;
  batteryW: readonly number[];
  boilerOn: readonly boolean[];
  evW: readonly number[];
  netLoadWh: readonly number[];
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
const later = (s: PlanSlots, i: number, keep: (j: number) => boolean) =>
  s.buyPrice.flatMap((p, j) => (j > i && p !== null && Number.isFinite(p) && keep(j) ? [p] : []));

/**
 * What heating in slot `i` is worth: what heating in the next-best later slot would cost (the
 * cheapest later slot the plan leaves the element off in, and never less than this slot's own
 * forecast), within the household's bounds. Without a forecast: the buy limit, as before.
 */
export function boilerValue(s: PlanSlots, i: number, b: BidBounds): number {
  const alternatives = later(s, i, (j) => !s.boilerOn[j]);
  const own = s.buyPrice[i];
  if (alternatives.length === 0 || own === null || own === undefined) return tick(b.buyLimit);
  return clamp(Math.max(own, Math.min(...alternatives)), b.feedIn, b.buyLimit);
}

/**
 * What a kWh charged in slot `i` is worth: the mean price the plan avoids with it later (the
 * slots it discharges in), less the round trip's losses.
 */
export function chargeValue(s: PlanSlots, i: number, b: BidBounds): number {
  const uses = later(s, i, (j) => (s.batteryW[j] ?? 0) > 0);
  const all = later(s, i, () => true);
  const worth = uses.length ? uses : all.length ? [Math.max(...all)] : [];
  if (worth.length === 0) return tick(b.buyLimit);
  return clamp((b.roundTrip * worth.reduce((a, p) => a + p, 0)) / worth.length, b.feedIn, b.buyLimit);
}

/**
 * What a kWh discharged into the grid in slot `i` must fetch: what it costs to put it back
 * later (the cheapest later price, with the round trip's losses), at least the feed-in tariff.
 */
export function dischargeAsk(s: PlanSlots, i: number, b: BidBounds): number {
  const all = later(s, i, () => true);
  if (all.length === 0) return tick(b.sellLimit);
  return clamp(Math.min(...all) / b.roundTrip, b.sellLimit, b.retail);
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

/**
 * The bid for plan slot `i`, as the household's demand or supply curve: what the house needs
 * whatever it costs (its load, the EV's charge) at the buy limit, then each flexible use at
 * its own value, dearest first, so that a partial fill leaves out the least valuable; the PV
 * surplus at the sell limit, then the battery's discharge at its ask. The energy adds up to
 * the plan's net energy of the slot.
 */
export function slotBid(s: PlanSlots, i: number, b: BidBounds): SlotBid {
  const slotH = s.minutes / 60;
  const batteryW = s.batteryW[i] ?? 0;
  const dischargeWh = Math.max(0, batteryW) * slotH;
  const boilerWh = s.boilerOn[i] ? b.heaterW * slotH : 0;
  const chargeWh = Math.max(0, -batteryW) * slotH;
  const houseWh = (s.netLoadWh[i] ?? 0) + (s.evW[i] ?? 0) * slotH;
  const netWh = Math.round(houseWh + boilerWh + chargeWh - dischargeWh);
  const bid: SlotBid = { side: null, steps: [], uses: [] };
  if (netWh > 0) {
    bid.side = "buy";
    const flexible = [
      { use: "boiler", wh: boilerWh, value: boilerWh > 0 ? boilerValue(s, i, b) : 0 },
      { use: "battery", wh: chargeWh, value: chargeWh > 0 ? chargeValue(s, i, b) : 0 },
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
    push(bid, Math.max(dischargeAsk(s, i, b), tick(b.sellLimit)), -netWh - Math.min(pvWh, -netWh), "battery");
  }
  return bid;
}
