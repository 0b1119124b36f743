import { OrderInput } from "@openlem/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ForecastSlot,
  HouseholdAgent,
  HouseholdSpec,
  houseBidWh,
  type PlanSlots,
  planValues,
  type SlotDecision,
  slotBid,
} from "../src/index.js";

const SLOT_MS = 15 * 60_000;
const T0 = Date.parse("2026-06-01T00:00:00Z");
const tariff = { retailPrice: 0.22, feedInTariff: 0.09 };
const bounds = { buyLimit: 0.22, sellLimit: 0.09, feedIn: 0.09, retail: 0.22, heaterW: 3000, roundTrip: 0.9 };
const slot = (i: number) => new Date(T0 + i * SLOT_MS).toISOString();

function forecast(prices: readonly number[], netLoadWh = 100, drawWh = 0): ForecastSlot[] {
  return prices.map((p, k) => ({ startMs: T0 + k * SLOT_MS, buyPrice: p, sellPrice: 0.09, netLoadWh, drawWh }));
}

/** Prices that fall in the afternoon: a boiler or battery has somewhere better to be. */
const valley = Array.from({ length: 96 }, (_, t) => (t >= 52 && t < 64 ? 0.12 : 0.2));

describe("bids that carry what energy is worth", () => {
  it("a boiler's heat is bid at what its next-best slot costs, below the house's own need at the limit", () => {
    const spec = HouseholdSpec.parse({ boiler: { volumeL: 200, heaterW: 3000 }, boilerResolutionK: 0.5 });
    const agent = new HouseholdAgent(spec, 15);
    // the water at its minimum: it must heat in the first slots, where the later valley is the alternative
    agent.plan(forecast(valley, 100, 300), { tempC: 45.5 });
    const first = agent.memory.boilerOn.indexOf(true);
    expect(first).toBeGreaterThanOrEqual(0);
    const [order] = agent.orders(slot(first), agent.plannedNetWh(T0 + first * SLOT_MS) ?? 0, tariff);
    const o = OrderInput.parse(order);
    expect(o.steps).toEqual([
      { price: 0.22, energyWh: 100 },
      { price: first < 52 ? 0.2 : 0.12, energyWh: 750 },
    ]);
  });

  it("a battery asks for its discharge what putting the energy back costs, and bids for its charge what it saves later", () => {
    const memory: PlanSlots = {
      minutes: 15,
      batteryW: [-2000, 0, 3000],
      boilerOn: [false, false, false],
      evW: [0, 0, 0],
      netLoadWh: [100, 100, -200],
      buyPrice: [0.1, 0.15, 0.2],
    };
    const charge = slotBid(memory, 0, bounds);
    expect(charge).toMatchObject({ side: "buy", uses: ["house", "battery"] });
    // 0.9 × the 0.2 it avoids later
    expect(charge.steps).toEqual([
      { price: 0.22, energyWh: 100 },
      { price: 0.18, energyWh: 500 },
    ]);
    const sell = slotBid({ ...memory, batteryW: [3000, 0, 0], netLoadWh: [-200, 0, 0] }, 0, bounds);
    // the PV surplus at feed-in, the battery's 750 Wh at 0.15 / 0.9
    expect(sell).toMatchObject({ side: "sell", uses: ["pv", "battery"] });
    expect(sell.steps).toEqual([
      { price: 0.09, energyWh: 200 },
      { price: 0.16667, energyWh: 750 },
    ]);
  });

  it("every bid is a valid order whose energy is the plan's, priced within feed-in and retail, falling for buys and rising for sells", () => {
    const plans = fc.record({
      n: fc.integer({ min: 1, max: 8 }),
      batteryW: fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 8, maxLength: 8 }),
      boilerOn: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      evW: fc.array(fc.constantFrom(0, 3700, 11000), { minLength: 8, maxLength: 8 }),
      netLoadWh: fc.array(fc.integer({ min: -3000, max: 3000 }), { minLength: 8, maxLength: 8 }),
      buyPrice: fc.array(fc.option(fc.double({ min: -0.1, max: 0.5, noNaN: true })), { minLength: 8, maxLength: 8 }),
    });
    fc.assert(
      fc.property(plans, fc.integer({ min: 0, max: 7 }), (p, i) => {
        const s: PlanSlots = { minutes: 15, ...p };
        const bid = slotBid(s, i, bounds);
        const slotH = 0.25;
        // + 0: a net that rounds to −0 is no energy, as the bid's empty side is
        const net =
          Math.round(
            (s.netLoadWh[i] ?? 0) + ((s.evW[i] ?? 0) + (s.boilerOn[i] ? 3000 : 0) - (s.batteryW[i] ?? 0)) * slotH,
          ) + 0;
        const total = bid.steps.reduce((a, st) => a + st.energyWh, 0);
        expect(bid.side === null ? 0 : bid.side === "buy" ? total : -total).toBe(net);
        for (const [k, st] of bid.steps.entries()) {
          expect(st.price).toBeGreaterThanOrEqual(0.09);
          expect(st.price).toBeLessThanOrEqual(0.22);
          const prev = bid.steps[k - 1];
          if (prev) expect(bid.side === "buy" ? st.price < prev.price : st.price > prev.price).toBe(true);
        }
        if (bid.side) {
          const shape =
            bid.steps.length === 1
              ? { energyWh: bid.steps[0]?.energyWh, limitPrice: bid.steps[0]?.price }
              : { steps: bid.steps };
          expect(OrderInput.safeParse({ clientOrderId: "x", side: bid.side, slot: slot(0), ...shape }).success).toBe(
            true,
          );
        }
      }),
    );
  });
  it("the values of a whole plan at once are each slot's values by their definitions (the later slots' prices)", () => {
    // the definitions, slot by slot, as the doc comments state them
    const later = (s: PlanSlots, i: number, keep: (j: number) => boolean) =>
      s.buyPrice.flatMap((p, j) => (j > i && p !== null && keep(j) ? [p] : []));
    const onTicks = (p: number, lo: number, hi: number) => Math.round(Math.min(hi, Math.max(lo, p)) * 1e5) / 1e5;
    const plans = fc.record({
      batteryW: fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 12, maxLength: 12 }),
      boilerOn: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      buyPrice: fc.array(fc.option(fc.integer({ min: 0, max: 40_000 }).map((t) => t / 1e5)), {
        minLength: 12,
        maxLength: 12,
      }),
    });
    fc.assert(
      fc.property(plans, (p) => {
        const s: PlanSlots = { minutes: 15, evW: Array(12).fill(0), netLoadWh: Array(12).fill(0), ...p };
        const v = planValues(s, bounds);
        for (let i = 0; i < 12; i++) {
          const own = s.buyPrice[i];
          const off = later(s, i, (j) => !s.boilerOn[j]);
          expect(v.boiler[i]).toBe(
            off.length === 0 || own === null ? 0.22 : onTicks(Math.max(own as number, Math.min(...off)), 0.09, 0.22),
          );
          const uses = later(s, i, (j) => (s.batteryW[j] ?? 0) > 0);
          const all = later(s, i, () => true);
          const worth = uses.length
            ? uses.reduce((a, x) => a + Math.round(x * 1e5), 0) / uses.length / 1e5
            : Math.max(...all);
          expect(v.charge[i]).toBe(all.length ? onTicks(0.9 * worth, 0.09, 0.22) : 0.22);
          expect(v.discharge[i]).toBe(all.length ? onTicks(Math.min(...all) / 0.9, 0.09, 0.22) : 0.09);
        }
      }),
    );
  });

  it("bids as much of an uncertain need or surplus as loses least, never more than the forecast", () => {
    const b = { retail: 0.22, feedIn: 0.09 };
    // known exactly: the forecast itself
    expect(houseBidWh(400, 0, 0.15, b)).toBe(400);
    // a need where the price is expected at retail: little of it (under-buying costs nothing then)
    expect(houseBidWh(400, 100, 0.22, b)).toBe(Math.round(400 + 100 * Math.log(2 * 0.02)));
    // expected at feed-in: all of the forecast, not more
    expect(houseBidWh(400, 100, 0.09, b)).toBe(400);
    // midway: the median, the forecast
    expect(houseBidWh(400, 100, 0.155, b)).toBe(400);
    // a surplus where the price is expected at feed-in: little of it; at retail: the forecast
    expect(houseBidWh(-400, 100, 0.09, b)).toBe(Math.round(-400 - 100 * Math.log(2 * 0.02)));
    expect(houseBidWh(-400, 100, 0.22, b)).toBe(-400);
    // never across zero, and without a price forecast as at retail
    expect(houseBidWh(100, 500, 0.2, b)).toBe(0);
    expect(houseBidWh(100, 20, null, b)).toBe(houseBidWh(100, 20, 0.22, b));
    fc.assert(
      fc.property(
        fc.integer({ min: -5000, max: 5000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 9000, max: 22000 }),
        (net, spread, ticks) => {
          const x = houseBidWh(net, spread, ticks / 1e5, b);
          expect(Math.abs(x)).toBeLessThanOrEqual(Math.abs(net));
          expect(x === 0 || Math.sign(x) === Math.sign(net)).toBe(true);
        },
      ),
    );
  });

  it("a bid on the slot's decision bids heat that safety asks for as the house's need, and heat the plan chose at its value", () => {
    const spec = HouseholdSpec.parse({ boiler: { volumeL: 200, heaterW: 3000 }, boilerResolutionK: 0.5 });
    const agent = new HouseholdAgent(spec, 15);
    Object.assign(agent.memory, {
      planFromMs: T0,
      plannedAtMs: T0,
      batteryW: [0, 0, 0],
      boilerOn: [false, true, false],
      evW: [0, 0, 0],
      netLoadWh: [100, 100, 100],
      buyPrice: [0.2, 0.15, 0.12],
    });
    const decision = (startMs: number, boilerOn: boolean): SlotDecision => ({
      startMs,
      batteryW: 0,
      boilerOn,
      evW: 0,
      netWh: 0,
      mode: "plan",
      why: [],
    });
    // slot 0: the plan leaves the element off, safety turns it on: all of it at the limit
    expect(agent.bidFor(T0, tariff, { decision: decision(T0, true), netLoadWh: 40 }).steps).toEqual([
      { price: 0.22, energyWh: 790 },
    ]);
    // slot 1: the plan heats; its value is the cheaper later slot's 0.12, not below its own 0.15
    expect(agent.bidFor(T0 + SLOT_MS, tariff, { decision: decision(T0 + SLOT_MS, true), netLoadWh: 40 }).steps).toEqual(
      [
        { price: 0.22, energyWh: 40 },
        { price: 0.15, energyWh: 750 },
      ],
    );
  });
});

describe("the devices act on what they bought", () => {
  const spec = HouseholdSpec.parse({
    boiler: { volumeL: 200, heaterW: 3000 },
    battery: { capacityWh: 10_000, maxChargeW: 3000, maxDischargeW: 3000 },
    boilerResolutionK: 0.5,
  });
  /** An agent whose plan heats and charges in slot 0, and discharges into the grid in slot 1. */
  function planned() {
    const agent = new HouseholdAgent(spec, 15);
    const m = agent.memory;
    Object.assign(m, {
      planFromMs: T0,
      plannedAtMs: T0,
      batteryW: [-2000, 3000],
      boilerOn: [true, false],
      evW: [0, 0],
      netLoadWh: [100, -200],
      buyPrice: [0.1, 0.2],
    });
    return agent;
  }
  const expected = { netLoadWh: 100, drawWh: 0 };
  /** Slot 0's bid: the house's 100 Wh at retail, the boiler's heat and the battery's charge at 0.1. */
  function bidHouseAndFlexible(agent: HouseholdAgent) {
    agent.recordBid(T0, [
      {
        id: "1",
        order: {
          side: "buy",
          steps: [
            { price: 0.22, energyWh: 100 },
            { price: 0.1, energyWh: 1250 },
          ],
        },
      },
    ]);
  }

  it("an unfilled buy runs neither the battery's charge nor the boiler, unless the water is at its minimum", () => {
    const agent = planned();
    bidHouseAndFlexible(agent);
    // before the fills are known: the plan
    expect(agent.decide(T0, { tempC: 50, socWh: 5000 }, expected)).toMatchObject({ boilerOn: true, batteryW: -2000 });
    // the house's own 100 Wh came (from the utility at retail); the 1,250 Wh at 0.1 did not
    agent.recordFills({ startMs: T0, boughtWh: 100, soldWh: 0 });
    const d = agent.decide(T0, { tempC: 50, socWh: 5000 }, expected);
    expect(d).toMatchObject({ boilerOn: false, batteryW: 0 });
    expect(d.why.join("; ")).toMatch(/boiler: off, its buy did not fill \(100 of 1350 Wh bought\)/);
    // and it plans again, to buy that heat in a later slot
    expect(agent.memory.plannedAtMs).toBeNull();
    // a tank at its minimum heats anyway: comfort and safety come first
    expect(agent.decide(T0, { tempC: 44, socWh: 5000 }, expected).boilerOn).toBe(true);
  });

  it("a part-filled buy leaves out the least valuable use first: the battery's charge before the boiler", () => {
    const agent = planned();
    bidHouseAndFlexible(agent);
    agent.recordFills({ startMs: T0, boughtWh: 850, soldWh: 0 });
    expect(agent.decide(T0, { tempC: 50, socWh: 5000 }, expected)).toMatchObject({ boilerOn: true, batteryW: 0 });
  });

  it("an unfilled sell does not discharge into the grid; a filled one does", () => {
    const agent = planned();
    const at = T0 + SLOT_MS;
    agent.recordBid(at, [{ id: "2", order: { side: "sell", energyWh: 950 } }]);
    const state = { tempC: 50, socWh: 5000 };
    agent.recordFills({ startMs: at, boughtWh: 0, soldWh: 950 });
    expect(agent.decide(at, state, expected).batteryW).toBe(3000);
    agent.recordFills({ startMs: at, boughtWh: 0, soldWh: 200 });
    const d = agent.decide(at, state, expected);
    expect(d.batteryW).toBe(0);
    expect(d.why.join("; ")).toMatch(/battery: 3000 W less discharge, its sell did not fill \(200 of 950 Wh sold\)/);
  });
});
