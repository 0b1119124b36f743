import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BatterySpec,
  BoilerSpec,
  boilerStep,
  EvSession,
  HouseholdSpec,
  heatCapacityWhPerK,
  maxSocWh,
  minSocWh,
  type SlotDecision,
  safeBatteryPower,
  safeBatteryStep,
  safeBoiler,
  safeEvPower,
  superviseSlot,
} from "../src/index.js";

const SLOT_MIN = 15;
/** What a misbehaving strategy might ask for: anything, including nonsense. */
const adversarialW = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0),
);

const arbBattery = fc
  .record({
    capacityWh: fc.integer({ min: 2_000, max: 20_000 }),
    maxChargeW: fc.integer({ min: 500, max: 6_000 }),
    maxDischargeW: fc.integer({ min: 500, max: 6_000 }),
    roundTripEfficiency: fc.double({ min: 0.7, max: 1, noNaN: true }),
    minSoc: fc.double({ min: 0, max: 0.3, noNaN: true }),
    maxSoc: fc.double({ min: 0.7, max: 1, noNaN: true }),
  })
  .map((b) => BatterySpec.parse(b));

describe("battery safety", () => {
  it("keeps the state of charge in its window and the power in its limits, whatever is requested", () => {
    fc.assert(
      fc.property(
        arbBattery,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(adversarialW, { maxLength: 96 }),
        (b, start, requests) => {
          let soc = minSocWh(b) + start * (maxSocWh(b) - minSocWh(b));
          for (const w of requests) {
            const step = safeBatteryStep(b, soc, w, SLOT_MIN);
            expect(step.powerW).toBeLessThanOrEqual(b.maxDischargeW);
            expect(step.powerW).toBeGreaterThanOrEqual(-b.maxChargeW);
            expect(step.socWh).toBeGreaterThanOrEqual(minSocWh(b) - 1e-6);
            expect(step.socWh).toBeLessThanOrEqual(maxSocWh(b) + 1e-6);
            soc = step.socWh;
          }
        },
      ),
    );
  });

  it("passes a reasonable request unchanged", () => {
    const b = BatterySpec.parse({ capacityWh: 10_000, maxChargeW: 3_000, maxDischargeW: 3_000 });
    expect(safeBatteryPower(b, 5_000, 2_000, SLOT_MIN)).toBe(2_000);
    expect(safeBatteryPower(b, 5_000, -2_000, SLOT_MIN)).toBe(-2_000);
    // almost empty: only the energy left above 10 % may go out
    expect(safeBatteryPower(b, 1_100, 3_000, SLOT_MIN)).toBeLessThan(400);
  });
});

const arbBoiler = fc
  .record({ volumeL: fc.integer({ min: 150, max: 300 }), heaterW: fc.integer({ min: 2_000, max: 3_000 }) })
  .map((b) => BoilerSpec.parse(b));

describe("boiler safety", () => {
  it("never lets the water fall below the minimum or rise above the maximum, whatever the plan", () => {
    fc.assert(
      fc.property(
        arbBoiler,
        fc.double({ min: 46, max: 64, noNaN: true }),
        fc.array(fc.record({ plan: fc.boolean(), drawShare: fc.double({ min: 0, max: 0.8, noNaN: true }) }), {
          maxLength: 192,
        }),
        (b, start, slots) => {
          let temp = start;
          for (const s of slots) {
            // draws the element can make up for within a slot (physically possible to stay warm)
            const drawWh = s.drawShare * ((b.heaterW * SLOT_MIN) / 60);
            const d = safeBoiler(b, { tempC: temp, plannedOn: s.plan, expectedDrawWh: drawWh, minutes: SLOT_MIN });
            temp = boilerStep(b, temp, d.on, drawWh, SLOT_MIN);
            expect(temp).toBeGreaterThanOrEqual(b.minTempC - 1e-9);
            expect(temp).toBeLessThanOrEqual(b.maxTempC + 1e-9);
          }
        },
      ),
    );
  });

  it("says why it overrode the plan", () => {
    const b = BoilerSpec.parse({ volumeL: 200, heaterW: 3000 });
    const draw = 0.5 * heatCapacityWhPerK(b); // half a kelvin of hot water
    expect(safeBoiler(b, { tempC: 45.2, plannedOn: false, expectedDrawWh: draw, minutes: SLOT_MIN })).toEqual({
      on: true,
      override: "below-minimum",
    });
    expect(safeBoiler(b, { tempC: 64.9, plannedOn: true, expectedDrawWh: 0, minutes: SLOT_MIN })).toEqual({
      on: false,
      override: "above-maximum",
    });
    expect(safeBoiler(b, { tempC: 55, plannedOn: true, expectedDrawWh: draw, minutes: SLOT_MIN })).toEqual({
      on: true,
      override: null,
    });
  });
});

describe("EV safety", () => {
  it("reaches the target by departure whenever it can, never above the charger's power", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), // slots plugged in
        fc.integer({ min: 1_400, max: 11_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(adversarialW, { minLength: 40, maxLength: 40 }),
        (slots, maxPowerW, share, requests) => {
          const arrival = Date.parse("2026-06-21T18:00:00Z");
          const departure = arrival + slots * SLOT_MIN * 60_000;
          const possibleWh = Math.floor((slots * maxPowerW * SLOT_MIN) / 60);
          const session = EvSession.parse({
            arrival: new Date(arrival).toISOString(),
            departure: new Date(departure).toISOString(),
            needWh: Math.floor(share * possibleWh),
            maxPowerW,
          });
          let charged = 0;
          for (let i = 0; i < slots; i++) {
            const w = safeEvPower(session, charged, arrival + i * SLOT_MIN * 60_000, requests[i] ?? 0, SLOT_MIN);
            expect(w).toBeGreaterThanOrEqual(0);
            expect(w).toBeLessThanOrEqual(maxPowerW);
            charged += (w * SLOT_MIN) / 60;
          }
          expect(charged).toBeGreaterThanOrEqual(session.needWh - 1e-6);
        },
      ),
    );
  });
});

describe("the supervisor's reasons within a slot", () => {
  it("say what holds now: a new correction of a device replaces its earlier ones, the slot's own reasons stay", () => {
    const spec = HouseholdSpec.parse({
      boiler: { volumeL: 200, heaterW: 3000 },
      battery: { capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000 },
    });
    const start = Date.parse("2026-06-21T09:00:00Z");
    let d: SlotDecision = {
      startMs: start,
      boilerOn: true,
      batteryW: 3_000,
      evW: 0,
      netWh: 0,
      mode: "plan",
      why: ["boiler: anti-legionella heat is due"],
    };
    // the tank passes its maximum, then a tap drains it below its minimum, then it is hot again
    for (const [minute, tempC] of [
      [3, 66],
      [6, 40],
      [9, 70],
    ] as const)
      d = superviseSlot(spec, d, { tempC, socWh: 5_000, boilerOn: d.boilerOn }, start + minute * 60_000, 15);
    expect(d.boilerOn).toBe(false);
    const boiler = d.why.filter((w) => w.startsWith("boiler:"));
    expect(boiler).toEqual([
      "boiler: off now, the water reached its maximum (70.0 °C, limit 65 °C)",
      "boiler: anti-legionella heat is due",
    ]);
    expect(d.why.filter((w) => w.startsWith("battery:"))).toHaveLength(1);
  });
});
