import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoilerSpec, boilerStep, planBoiler } from "../src/index.js";

const SLOT = 15;
const spec = BoilerSpec.parse({ volumeL: 200, heaterW: 3000 });
/** A family's hot water: morning showers and an evening bath, in Wh of heat per 15 minutes. */
const draws = Array.from({ length: 96 }, (_, t) => (t >= 28 && t < 32 ? 600 : t >= 76 && t < 80 ? 500 : 0));

function runs(on: boolean[]): { value: boolean; length: number }[] {
  const out: { value: boolean; length: number }[] = [];
  for (const v of on) {
    const lastRun = out.at(-1);
    if (lastRun && lastRun.value === v) lastRun.length++;
    else out.push({ value: v, length: 1 });
  }
  return out;
}

describe("boiler planning", () => {
  it("heats when power is cheap and keeps the water warm enough all day", () => {
    // 30 ct all day, 8 ct around noon (local PV)
    const price = Array.from({ length: 96 }, (_, t) => (t >= 44 && t < 60 ? 0.08 : 0.3));
    const plan = planBoiler({ spec, tempC: 55, minutes: SLOT, price, drawWh: draws });
    const cheapSlots = plan.on.filter((on, t) => on && (price[t] ?? 1) < 0.1).length;
    const dearSlots = plan.on.filter((on, t) => on && (price[t] ?? 0) > 0.1).length;
    expect(cheapSlots).toBeGreaterThan(dearSlots);
    for (const temp of plan.tempC) expect(temp).toBeGreaterThanOrEqual(spec.minTempC);
    for (const temp of plan.tempC) expect(temp).toBeLessThanOrEqual(spec.maxTempC + 1e-9);
  });

  it("never short-cycles: every switch holds for the minimum on and off times", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 0.5, noNaN: true }), { minLength: 96, maxLength: 96 }), (price) => {
        const plan = planBoiler({
          spec,
          tempC: 55,
          minutes: SLOT,
          price,
          drawWh: draws,
          minOnSlots: 3,
          minOffSlots: 2,
          runSlots: 10,
        });
        const r = runs(plan.on);
        // the first run continues the state before the horizon, the last is cut off by its end
        for (const x of r.slice(1, -1)) expect(x.length).toBeGreaterThanOrEqual(x.value ? 3 : 2);
      }),
      { numRuns: 30 },
    );
  });

  it("keeps the water between minimum and maximum whatever the prices do", () => {
    const arbPrice = fc.oneof(fc.double({ min: -0.5, max: 0.6, noNaN: true }), fc.constantFrom(5, -2, Number.NaN));
    fc.assert(
      fc.property(
        fc.array(arbPrice, { minLength: 48, maxLength: 48 }),
        fc.double({ min: 46, max: 64, noNaN: true }),
        (price, start) => {
          const drawWh = draws.slice(24, 72);
          const plan = planBoiler({ spec, tempC: start, minutes: SLOT, price, drawWh });
          // the temperatures it plans are the tank's own, step by step, to the bit
          let x = start;
          plan.on.forEach((on, t) => {
            x = boilerStep(spec, x, on, drawWh[t] ?? 0, SLOT);
            expect(plan.tempC[t]).toBe(x);
          });
          for (const temp of plan.tempC) {
            expect(temp).toBeGreaterThanOrEqual(spec.minTempC);
            expect(temp).toBeLessThanOrEqual(spec.maxTempC + 1e-9);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
