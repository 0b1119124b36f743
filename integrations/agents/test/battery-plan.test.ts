import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatterySpec, maxSocWh, minSocWh, oneWayEfficiency, planBattery } from "../src/index.js";

const SLOT = 15;
const spec = BatterySpec.parse({
  capacityWh: 10_000,
  maxChargeW: 5_000,
  maxDischargeW: 5_000,
  roundTripEfficiency: 0.9,
});

/** Adversarial prices: spikes, negative prices, and missing forecasts (NaN). */
const arbPrice = fc.oneof(fc.double({ min: -0.5, max: 0.6, noNaN: true }), fc.constantFrom(5, -2, Number.NaN));

describe("battery planning (dynamic programming over the state of charge)", () => {
  it("buys low and sells high", () => {
    const buy = [0.1, 0.1, 0.1, 0.1, 0.4, 0.4, 0.4, 0.4];
    const plan = planBattery({
      spec,
      socWh: minSocWh(spec),
      minutes: SLOT,
      buyPrice: buy,
      sellPrice: buy,
      terminalValuePerWh: 0,
    });
    expect(plan.powerW.slice(0, 4).every((p) => p < 0)).toBe(true); // charging in the cheap hours
    expect(plan.powerW.slice(4).some((p) => p > 0)).toBe(true); // selling in the expensive ones
    expect(plan.cost).toBeLessThan(0);
  });

  it("holds where no forecast exists", () => {
    const plan = planBattery({
      spec,
      socWh: 5_000,
      minutes: SLOT,
      buyPrice: [0.1, Number.NaN, 0.4],
      sellPrice: [0.1, Number.NaN, 0.4],
    });
    expect(plan.powerW[1]).toBe(0);
  });

  it("plans only what the battery can do, whatever the prices", () => {
    fc.assert(
      fc.property(
        fc.array(arbPrice, { maxLength: 48 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (prices, start) => {
          const soc0 = minSocWh(spec) + start * (maxSocWh(spec) - minSocWh(spec));
          const plan = planBattery({
            spec,
            socWh: soc0,
            minutes: SLOT,
            buyPrice: prices,
            sellPrice: prices,
            levels: 41,
          });
          for (const [t, p] of plan.powerW.entries()) {
            expect(p).toBeLessThanOrEqual(spec.maxDischargeW);
            expect(p).toBeGreaterThanOrEqual(-spec.maxChargeW);
            expect(plan.socWh[t]).toBeGreaterThanOrEqual(minSocWh(spec) - 1e-6);
            expect(plan.socWh[t]).toBeLessThanOrEqual(maxSocWh(spec) + 1e-6);
            if (!Number.isFinite(prices[t] ?? Number.NaN)) expect(p).toBe(0);
          }
        },
      ),
    );
  });

  it("finds the cheapest plan: the same cost as trying every path on a small grid", () => {
    const small = BatterySpec.parse({
      capacityWh: 4_000,
      maxChargeW: 4_000,
      maxDischargeW: 4_000,
      roundTripEfficiency: 0.81,
      minSoc: 0,
      maxSoc: 1,
    });
    const G = 5;
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.2, max: 0.5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.double({ min: -0.2, max: 0.5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: -800, max: 800 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: G - 1 }),
        (buy, sellRaw, load, startLevel) => {
          const sell = sellRaw.map((s, i) => Math.min(s, buy[i] ?? 0)); // nobody sells above the buy price
          const step = small.capacityWh / (G - 1);
          const eta = oneWayEfficiency(small);
          const terminal = 0.05 / 1000;
          const plan = planBattery({
            spec: small,
            socWh: startLevel * step,
            minutes: SLOT,
            buyPrice: buy,
            sellPrice: sell,
            netLoadWh: load,
            terminalValuePerWh: terminal,
            levels: G,
          });
          // brute force over every sequence of grid points the power limits allow
          const maxUp = Math.floor((small.maxChargeW * 0.25 * eta) / step + 1e-9);
          const maxDown = Math.floor((small.maxDischargeW * 0.25) / eta / step + 1e-9);
          let best = Number.POSITIVE_INFINITY;
          const walk = (t: number, i: number, cost: number) => {
            if (t === 3) {
              best = Math.min(best, cost - i * step * terminal);
              return;
            }
            for (let j = Math.max(0, i - maxDown); j <= Math.min(G - 1, i + maxUp); j++) {
              const cell = (j - i) * step;
              const grid = (load[t] ?? 0) + (cell >= 0 ? cell / eta : cell * eta);
              walk(t + 1, j, cost + (grid >= 0 ? grid * (buy[t] ?? 0) : grid * (sell[t] ?? 0)) / 1000);
            }
          };
          walk(0, startLevel, 0);
          expect(plan.cost).toBeCloseTo(best, 9);
        },
      ),
    );
  });
});
