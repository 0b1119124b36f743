import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  adaptLimitTicks,
  EvSession,
  planEv,
  Ramp,
  rampPrice,
  relativeLimit,
  safeEvPower,
  storageSellPrice,
} from "../src/index.js";

const open = Date.parse("2026-06-21T10:00:00Z");
const close = open + 15 * 60_000;

describe("linear price ramps (D3A)", () => {
  it("raises a load's bid from the initial to the final rate, step by step", () => {
    const r = Ramp.parse({ initialPrice: 0.1, finalPrice: 0.22, updateIntervalMinutes: 5 });
    expect([0, 5, 10, 14].map((m) => rampPrice(r, open, close, open + m * 60_000))).toEqual([0.1, 0.16, 0.22, 0.22]);
  });

  it("stays between its rates and moves one way only", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.5, max: 1, noNaN: true }),
        fc.double({ min: -0.5, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 15 * 60_000 }), { minLength: 2, maxLength: 10 }),
        (a, b, interval, times) => {
          const r = Ramp.parse({ initialPrice: a, finalPrice: b, updateIntervalMinutes: interval });
          const prices = [...times].sort((x, y) => x - y).map((t) => rampPrice(r, open, close, open + t));
          for (const p of prices) {
            expect(p).toBeGreaterThanOrEqual(Math.min(a, b) - 1e-5);
            expect(p).toBeLessThanOrEqual(Math.max(a, b) + 1e-5);
          }
          for (let i = 1; i < prices.length; i++) {
            const d = (prices[i] ?? 0) - (prices[i - 1] ?? 0);
            expect(b >= a ? d >= -1e-9 : d <= 1e-9).toBe(true);
          }
        },
      ),
    );
  });

  it("never lets storage sell below what its energy cost, losses included", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.double({ min: 0.8, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 899_999 }),
        (cost, eta, t) => {
          const r = Ramp.parse({ initialPrice: 0.3, finalPrice: 0.05 });
          expect(storageSellPrice(r, open, close, open + t, cost, eta)).toBeGreaterThanOrEqual(cost / eta - 1e-9);
        },
      ),
    );
  });
});

describe("relative price limits", () => {
  it("is the price of the cheapest share of the known slots", () => {
    const prices = [0.3, 0.1, Number.NaN, 0.2, 0.4, 0.15, 0.25, 0.35, 0.05];
    expect(relativeLimit(prices, 0.25)).toBe(0.1); // 8 known: the cheapest two are 0.05 and 0.1
    expect(relativeLimit(prices, 1)).toBe(0.4);
    expect(relativeLimit([Number.NaN], 0.5)).toBeNull();
  });
});

describe("EV planning", () => {
  const arrival = Date.parse("2026-06-21T18:00:00Z");
  const slots = Array.from({ length: 52 }, (_, i) => ({
    startMs: arrival + i * 900_000,
    price: i >= 24 && i < 32 ? 0.08 : 0.3,
  }));
  const session = EvSession.parse({
    arrival: new Date(arrival).toISOString(),
    departure: new Date(arrival + 52 * 900_000).toISOString(),
    needWh: 14_000, // fits the cheap window: 8 slots x 1,850 Wh
    maxPowerW: 7_400,
  });

  it("charges in the cheapest slots before departure", () => {
    const plan = planEv({ session, chargedWh: 0, slots, minutes: 15 });
    const energy = plan.reduce((s, w) => s + (w * 15) / 60, 0);
    expect(energy).toBeGreaterThanOrEqual(14_000);
    expect(plan.every((w, i) => w === 0 || (slots[i]?.price ?? 1) < 0.1)).toBe(true);
  });

  it("reaches the target through the safety layer even when the plan fails to arrive", () => {
    let charged = 0;
    for (const slot of slots) charged += (safeEvPower(session, charged, slot.startMs, 0, 15) * 15) / 60;
    expect(charged).toBeGreaterThanOrEqual(14_000);
  });

  it("is the cheapest way to charge what is needed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.2, max: 0.6, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 6 * 1850 }),
        (prices, needWh) => {
          const t0 = Date.parse("2026-06-21T18:00:00Z");
          const s = EvSession.parse({
            arrival: new Date(t0).toISOString(),
            departure: new Date(t0 + 6 * 900_000).toISOString(),
            needWh,
            maxPowerW: 7_400,
          });
          const plan = planEv({
            session: s,
            chargedWh: 0,
            slots: prices.map((price, i) => ({ startMs: t0 + i * 900_000, price })),
            minutes: 15,
          });
          const cost = plan.reduce((c, w, i) => c + ((w * 15) / 60) * (prices[i] ?? 0), 0);
          // the cheapest possible: fill the cheapest slots first (a fractional knapsack's optimum)
          let left = needWh;
          let best = 0;
          for (const p of [...prices].sort((a, b) => a - b)) {
            const wh = Math.min(1850, left);
            best += wh * p;
            left -= wh;
          }
          expect(cost).toBeLessThanOrEqual(best + 0.6 * 6); // whole-watt rounding: at most 1 Wh more per slot
        },
      ),
    );
  });
});

describe("ramps carried from slot to slot", () => {
  it("moves toward the other side when unfilled, back when filled, never past the bounds", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("buy" as const, "sell" as const),
        fc.integer({ min: 0, max: 50_000 }),
        fc.integer({ min: 0, max: 50_000 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (side, a, b, fills) => {
          const bounds = { minTicks: Math.min(a, b), maxTicks: Math.max(a, b) };
          let p = bounds.minTicks;
          for (const filled of fills) {
            const next = adaptLimitTicks(side, p, filled, bounds, 1_000);
            expect(next).toBeGreaterThanOrEqual(bounds.minTicks);
            expect(next).toBeLessThanOrEqual(bounds.maxTicks);
            // an unfilled seller never asks more, an unfilled buyer never bids less
            if (!filled) expect(side === "sell" ? next <= p : next >= p).toBe(true);
            p = next;
          }
        },
      ),
    );
    expect(adaptLimitTicks("sell", 15_000, false, { minTicks: 9_000, maxTicks: 22_000 }, 1_000)).toBe(14_000);
    expect(adaptLimitTicks("buy", 15_000, false, { minTicks: 9_000, maxTicks: 22_000 }, 1_000)).toBe(16_000);
  });
});
