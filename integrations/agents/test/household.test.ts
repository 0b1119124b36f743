import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BoilerSpec,
  boilerStep,
  type DeviceState,
  type ForecastSlot,
  HouseholdAgent,
  HouseholdSpec,
  legionellaThresholdC,
  planBoiler,
} from "../src/index.js";

const SLOT = 15;
const SLOT_MS = SLOT * 60_000;
const DAY = 96;
const T0 = Date.parse("2026-06-01T00:00:00Z");
const draws = (t: number) => (t % DAY >= 28 && t % DAY < 32 ? 600 : t % DAY >= 76 && t % DAY < 80 ? 500 : 0);
const tariff = { retailPrice: 0.22, feedInTariff: 0.09 };

function forecast(fromSlot: number, prices: readonly number[], netLoadWh = 100): ForecastSlot[] {
  return prices.map((p, k) => ({
    startMs: T0 + (fromSlot + k) * SLOT_MS,
    buyPrice: p,
    sellPrice: Number.isFinite(p) ? Math.min(p, 0.09) : p,
    netLoadWh,
    drawWh: draws(fromSlot + k),
  }));
}

describe("anti-legionella heat", () => {
  const spec = HouseholdSpec.parse({ boiler: { volumeL: 200, heaterW: 3000 } }).boiler as BoilerSpec;

  it("reaches the legionella temperature by the deadline, in the cheap slots", () => {
    const flat = Array.from({ length: DAY }, () => 0.2);
    const plan = planBoiler({ spec, tempC: 52, minutes: SLOT, price: flat, drawWh: flat.map((_, t) => draws(t)) });
    expect(Math.max(...plan.tempC)).toBeLessThan(spec.legionellaTempC); // not due: no heat to 60
    const price = Array.from({ length: DAY }, (_, t) => (t >= 44 && t < 60 ? 0.05 : 0.3));
    const due = planBoiler({
      spec,
      tempC: 52,
      minutes: SLOT,
      price,
      drawWh: price.map((_, t) => draws(t)),
      legionellaBySlot: 80,
    });
    const hot = due.tempC.findIndex((c) => c >= legionellaThresholdC(spec));
    expect(hot).toBeGreaterThanOrEqual(0);
    expect(hot).toBeLessThanOrEqual(80);
    // the extra heat goes into the cheap window
    expect(hot).toBeGreaterThanOrEqual(44);
    expect(hot).toBeLessThan(60);
    for (const c of due.tempC) expect(c).toBeLessThanOrEqual(spec.maxTempC);
  });

  it("with long minimum on times, first lets the tank cool so that a whole run ends inside the limits", () => {
    // from 53 °C a 4-slot run (+12.8 K) would pass 65 °C: the water has to cool to about 52 °C first
    const price = Array.from({ length: DAY }, () => 0.1);
    const plan = planBoiler({
      spec,
      tempC: 53,
      minutes: SLOT,
      price,
      drawWh: price.map((_, t) => draws(t)),
      minOnSlots: 4,
      minOffSlots: 4,
      legionellaBySlot: 40,
    });
    expect(Math.max(...plan.tempC.slice(0, 41))).toBeGreaterThanOrEqual(legionellaThresholdC(spec));
    for (const c of plan.tempC) expect(c).toBeLessThanOrEqual(spec.maxTempC);
  });

  it("plans the heat exactly by any deadline it can physically make, whatever the prices", () => {
    // runs of 2 or more slots add 6.4, 9.6, 12.8 K...: from at most 58 °C one of them ends in [60, 64.9]
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.2, max: 0.6, noNaN: true }), { minLength: DAY, maxLength: DAY }),
        fc.double({ min: 46, max: 58, noNaN: true }),
        fc.integer({ min: 16, max: DAY - 1 }),
        (price, startC, deadline) => {
          const plan = planBoiler({
            spec,
            tempC: startC,
            minutes: SLOT,
            price,
            drawWh: price.map((_, t) => draws(t)),
            runSlots: 4,
            legionellaBySlot: deadline,
          });
          expect(plan.legionella).toBe("met");
          expect(Math.max(...plan.tempC.slice(0, deadline + 1))).toBeGreaterThanOrEqual(legionellaThresholdC(spec));
          for (const c of plan.tempC) expect(c).toBeLessThanOrEqual(spec.maxTempC);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("meets the heat whenever any schedule the element allows does, and says so when none does", () => {
    // short horizons: every on/off schedule within the minimum on and off times is tried
    const n = 8;
    const reachable = (startC: number, on0: boolean, run0: number, minOn: number, minOff: number, deadline: number) => {
      const hot = legionellaThresholdC(spec);
      let any = false;
      const walk = (t: number, c: number, on: boolean, run: number, hit: boolean) => {
        if (any) return;
        if (t > deadline) {
          any = hit;
          return;
        }
        for (const a of [false, true]) {
          const after = boilerStep(spec, c, a, draws(t), SLOT);
          if (a && after > spec.maxTempC) continue;
          // switching off early is allowed only where heating on would pass the maximum
          const onAfter = boilerStep(spec, c, true, draws(t), SLOT);
          if (a !== on && run < (on ? minOn : minOff) && !(on && onAfter > spec.maxTempC)) continue;
          walk(t + 1, after, a, a === on ? run + 1 : 1, hit || after >= hot);
        }
      };
      walk(0, startC, on0, run0, false);
      return any;
    };
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.2, max: 0.6, noNaN: true }), { minLength: n, maxLength: n }),
        fc.double({ min: 40, max: 64.9, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: n - 1 }),
        (price, startC, on, runSlots, minOnSlots, minOffSlots, deadline) => {
          fc.pre(startC < legionellaThresholdC(spec));
          const plan = planBoiler({
            spec,
            tempC: startC,
            minutes: SLOT,
            price,
            drawWh: price.map((_, t) => draws(t)),
            on,
            runSlots,
            minOnSlots,
            minOffSlots,
            legionellaBySlot: deadline,
          });
          const can = reachable(
            startC,
            on,
            Math.min(runSlots, Math.max(minOnSlots, minOffSlots)),
            minOnSlots,
            minOffSlots,
            deadline,
          );
          expect(plan.legionella).toBe(can ? "met" : "unreachable");
          if (can)
            expect(Math.max(...plan.tempC.slice(0, deadline + 1))).toBeGreaterThanOrEqual(legionellaThresholdC(spec));
          for (const c of plan.tempC) expect(c).toBeLessThanOrEqual(Math.max(spec.maxTempC, startC));
        },
      ),
      { numRuns: 400 },
    );
  });
});

/** Three weeks of a household agent planning once a day and deciding every slot. */
function runBoilerWeeks(prices: (t: number) => number, startC: number) {
  const spec = HouseholdSpec.parse({
    boiler: { volumeL: 200, heaterW: 3000, legionellaEveryDays: 3 },
    boilerResolutionK: 0.5,
  });
  const boiler = spec.boiler as BoilerSpec;
  const agent = new HouseholdAgent(spec, SLOT);
  let temp = startC;
  const hotAt: number[] = [];
  const temps: number[] = [];
  for (let t = 0; t < 21 * DAY; t++) {
    const start = T0 + t * SLOT_MS;
    const state: DeviceState = { tempC: temp };
    if (t % DAY === 0)
      agent.plan(
        forecast(
          t,
          Array.from({ length: DAY }, (_, k) => prices(t + k)),
        ),
        state,
        start,
      );
    const d = agent.decide(start, state, { netLoadWh: 100, drawWh: draws(t) });
    temp = boilerStep(boiler, temp, d.boilerOn, draws(t), SLOT);
    temps.push(temp);
    if (temp >= legionellaThresholdC(boiler, spec.boilerResolutionK)) hotAt.push(t);
    agent.afterSlot(d, { tempC: temp });
  }
  return { boiler, hotAt, temps };
}

describe("household agent: safety whatever the prices", () => {
  const price = fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(Number.NaN, 10, -10));

  it("keeps the tank between its limits and heats against legionella every N days", () => {
    fc.assert(
      fc.property(
        fc.array(price, { minLength: 24, maxLength: 24 }),
        fc.double({ min: 46, max: 58, noNaN: true }),
        (hourly, startC) => {
          const { boiler, hotAt, temps } = runBoilerWeeks((t) => hourly[Math.floor(t / 4) % 24] ?? 0.2, startC);
          for (const c of temps) {
            expect(c).toBeGreaterThanOrEqual(boiler.minTempC - 1e-9);
            expect(c).toBeLessThanOrEqual(boiler.maxTempC + 1e-9);
          }
          // never more than N days (plus the hours a heat-up takes) without a hot tank
          const limit = boiler.legionellaEveryDays * DAY + 8;
          let last = 0;
          for (const t of [...hotAt, 21 * DAY - 1]) {
            expect(t - last).toBeLessThanOrEqual(limit);
            last = t;
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it("holds the limits through a week at the price floor, a week at the cap and a week switching between them", () => {
    const floor = 0;
    const cap = 0.5;
    const weeks = (t: number) => {
      const week = Math.floor(t / (7 * DAY));
      if (week === 0) return floor;
      if (week === 1) return cap;
      return Math.floor(t / 4) % 2 === 0 ? floor : cap;
    };
    for (const startC of [45.5, 52, 64]) {
      const { boiler, hotAt, temps } = runBoilerWeeks(weeks, startC);
      expect(Math.min(...temps)).toBeGreaterThanOrEqual(boiler.minTempC);
      expect(Math.max(...temps)).toBeLessThanOrEqual(boiler.maxTempC);
      let last = 0;
      for (const t of [...hotAt, 21 * DAY - 1]) {
        expect(t - last).toBeLessThanOrEqual(boiler.legionellaEveryDays * DAY + 8);
        last = t;
      }
    }
  });
});

describe("household agent: decisions and orders", () => {
  const spec = HouseholdSpec.parse({
    battery: { capacityWh: 10_000, maxChargeW: 4_000, maxDischargeW: 4_000 },
    boiler: { volumeL: 200, heaterW: 3000 },
  });

  it("follows its plan where it has one and the local default where it has none", () => {
    const agent = new HouseholdAgent(spec, SLOT);
    const prices = Array.from({ length: DAY }, (_, t) => (t >= 44 && t < 60 ? 0.05 : 0.3));
    agent.plan(forecast(0, prices, -500), { socWh: 5_000, tempC: 52 }, T0);
    const planned = agent.decide(T0 + 48 * SLOT_MS, { socWh: 5_000, tempC: 52 }, { netLoadWh: -500, drawWh: 0 });
    expect(planned.mode).toBe("plan");
    expect(agent.plannedNetWh(T0 + 48 * SLOT_MS)).not.toBeNull();
    const local = agent.decide(T0 + 200 * SLOT_MS, { socWh: 5_000, tempC: 54 }, { netLoadWh: -500, drawWh: 0 });
    expect(local.mode).toBe("fallback");
    expect(local.boilerOn).toBe(false); // the thermostat: 54 °C is within 2 K of the target
    const cool = agent.decide(T0 + 200 * SLOT_MS, { socWh: 5_000, tempC: 50 }, { netLoadWh: 0, drawWh: 0 });
    expect(cool.boilerOn).toBe(true);
    expect(local.batteryW).toBeLessThan(0); // self-consumption: the PV surplus charges the battery
    expect(local.why[0]).toMatch(/local default/);
  });

  it("obeys an override, but never past the safety limits", () => {
    const agent = new HouseholdAgent(spec, SLOT);
    agent.setOverride("off");
    const cold = agent.decide(T0, { socWh: 5_000, tempC: 45.05 }, { netLoadWh: 0, drawWh: 600 });
    expect(cold.boilerOn).toBe(true);
    expect(cold.why.join(" ")).toMatch(/below its minimum/);
    agent.setOverride("on");
    const hot = agent.decide(T0, { socWh: 5_000, tempC: 64.5 }, { netLoadWh: 0, drawWh: 0 });
    expect(hot.boilerOn).toBe(false);
  });

  it("bids its net position at its limits, absolute or relative", () => {
    const agent = new HouseholdAgent(spec, SLOT);
    expect(agent.orders("2026-06-01T10:00:00.000Z", 400, tariff)).toEqual([
      {
        clientOrderId: "agent-2026-06-01T10:00:00.000Z",
        side: "buy",
        slot: "2026-06-01T10:00:00.000Z",
        energyWh: 400,
        limitPrice: 0.22,
      },
    ]);
    expect(agent.orders("2026-06-01T10:00:00.000Z", -300, tariff, "battery")[0]).toMatchObject({
      side: "sell",
      energyWh: 300,
      limitPrice: 0.09,
      source: "battery",
    });
    expect(agent.orders("2026-06-01T10:00:00.000Z", 0, tariff)).toEqual([]);
    const relative = new HouseholdAgent(
      HouseholdSpec.parse({ limits: { maxBuyPrice: { cheapestShare: 0.25 } } }),
      SLOT,
    );
    relative.plan(forecast(0, [0.1, 0.2, 0.3, 0.4, Number.NaN, 0.15, 0.25, 0.35]), {}, T0);
    expect(relative.limits(tariff).buy).toBe(0.15);
  });

  it("refuses a spec that breaks the rules, naming the field", () => {
    const r = HouseholdSpec.safeParse({ battery: { capacityWh: 10_000, maxChargeW: -1, maxDischargeW: 1 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["battery", "maxChargeW"]);
  });
});
