import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bidRange, clampBid } from "../src/cards/bid/bid-range.js";
import { energyFromStatement, formatEnergy, formatMoney } from "../src/cards/energy/energy-data.js";
import { CHART, gaps, timeScale } from "../src/charts/price-chart.js";
import { cheapestWindow, type PriceSlot, priceView } from "../src/data/price.js";

const T0 = Date.parse("2026-06-21T00:00:00Z");
const slots = (values: number[]): PriceSlot[] =>
  values.map((value, i) => ({ startMs: T0 + i * 900_000, value, kind: "forecast" }));

describe("price data", () => {
  it("reads the forecast attribute, sorted, leaving malformed entries out", () => {
    const v = priceView({
      entity_id: "sensor.openlem_demo_price",
      state: "0.14",
      attributes: {
        forecast: [
          { start: "2026-06-21T00:15:00Z", value: 0.12, kind: "forecast" },
          { start: "2026-06-21T00:00:00Z", value: 0.1, kind: "cleared" },
          { start: "not a date", value: 0.3 },
          { start: "2026-06-21T00:30:00Z", value: "0.2" },
        ],
        retail_price: 0.22,
        feed_in_tariff: 0.09,
        price_floor: 0,
        price_cap: 0.5,
      },
    });
    expect(v.slots.map((s) => s.value)).toEqual([0.1, 0.12]);
    expect(v).toMatchObject({ current: 0.14, retail: 0.22, feedIn: 0.09, floor: 0, cap: 0.5 });
    expect(priceView(undefined)).toMatchObject({ slots: [], current: null, retail: null });
  });

  it("finds the stretches no slot covers, and nothing else, on the chart's time axis", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }), (idx) => {
        const len = 900_000;
        const s = [...idx]
          .sort((a, b) => a - b)
          .map((i) => ({ startMs: T0 + i * len, value: 0.1, kind: "cleared" as const }));
        const domain: [number, number] = [T0, T0 + 41 * len];
        const g = gaps(s, len, domain);
        // every slot of the domain is either priced or inside exactly one gap
        for (let i = 0; i <= 40; i++) {
          const t = T0 + i * len;
          const inGaps = g.filter(([a, b]) => a <= t && t < b).length;
          expect(inGaps).toBe(idx.includes(i) ? 0 : 1);
        }
        for (const [a, b] of g) expect(b).toBeGreaterThan(a);
      }),
    );
    // the axis puts a moment where its share of the domain says, whatever lies around it
    const x = timeScale([T0, T0 + 86_400_000]);
    expect(x(new Date(T0 + 6 * 3_600_000))).toBeCloseTo(CHART.left + (CHART.width - CHART.left - CHART.right) / 4, 9);
  });

  it("marks the cheapest window that has not ended: no other run of that length is cheaper", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 50 }), { minLength: 4, maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 10 }),
        (cents, length, past) => {
          const s = slots(cents.map((c) => c / 100));
          const now = T0 + past * 900_000;
          const w = cheapestWindow(s, length, now, 15);
          const sum = (i: number) => cents.slice(i, i + length).reduce((a, b) => a + b, 0);
          const candidates = [...cents.keys()].filter((i) => i + length <= cents.length && i + length > past);
          if (candidates.length === 0) {
            expect(w).toBeNull();
            return;
          }
          expect(w).not.toBeNull();
          const [first, last] = w as [number, number];
          expect(last - first + 1).toBe(length);
          for (const i of candidates) expect(sum(first)).toBeLessThanOrEqual(sum(i));
        },
      ),
    );
  });
});

describe("bids", () => {
  it("never leave the community's floor and cap, nor the entity's own range", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0.25, max: 0.6, noNaN: true }),
        (value, floor, cap) => {
          const range = bidRange(floor, cap, 0.05, 0.5);
          if (!range) return;
          const v = clampBid(value, range, 0.01);
          expect(v).toBeGreaterThanOrEqual(range.min - 1e-9);
          expect(v).toBeLessThanOrEqual(range.max + 1e-9);
        },
      ),
    );
    expect(bidRange(0.3, 0.2, null, null)).toBeNull();
    expect(clampBid(0.123, { min: 0, max: 0.5 }, 0.01)).toBe(0.12);
  });
});

describe("energy", () => {
  it("adds a statement's lines up by what they are", () => {
    const v = energyFromStatement({
      total: "3.50000000",
      savings: "0.75000000",
      lines: [
        { kind: "local-buy", energyWh: 1000 },
        { kind: "utility-buy", energyWh: 2000 },
        { kind: "deviation-buy", energyWh: 50 },
        { kind: "local-sell", energyWh: 300 },
        { kind: "utility-sell", energyWh: 700 },
      ],
    });
    expect(v.rows.map((r) => [r.key, r.wh])).toEqual([
      ["boughtLocal", 1000],
      ["boughtGrid", 2050],
      ["ownPv", null],
      ["soldLocal", 300],
      ["soldGrid", 700],
    ]);
    expect([v.bill, v.savings]).toEqual([3.5, 0.75]);
    expect(formatEnergy(12_400, "en")).toBe("12.4 kWh");
    expect(formatEnergy(12_400, "de")).toBe("12,4 kWh");
  });
});

describe("money on the cards", () => {
  it("shows a credit too small for a cent as zero, not as minus zero", () => {
    expect(formatMoney(-0.000_04, "EUR", "en")).toBe("€0.00");
    expect(formatMoney(-0.004, "EUR", "en")).toBe("€0.00");
    expect(formatMoney(-0.006, "EUR", "en")).toBe("-€0.01");
    expect(formatMoney(1.234, "EUR", "de")).toBe("1,23\u00a0€");
  });
});
