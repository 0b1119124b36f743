import {
  formatMoney,
  moneyOf,
  parseMoney,
  priceToTicks,
  roundPartsToMinor,
  ticksToPrice,
  toMinorUnits,
} from "@openlem/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("prices", () => {
  it("converts currency per kWh to ticks of 0.00001 and back", () => {
    expect(priceToTicks(0.22)).toBe(22_000);
    expect(priceToTicks(0.09)).toBe(9_000);
    expect(priceToTicks(-0.05)).toBe(-5_000);
    expect(ticksToPrice(22_000)).toBe(0.22);
  });

  it("refuses a price finer than the tick, naming the rule", () => {
    expect(() => priceToTicks(0.123456)).toThrow(/more than 5 decimal places/);
  });

  it("round-trips every tick", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (t) => priceToTicks(ticksToPrice(t)) === t),
    );
  });

  it("prices energy exactly: 1 tick x 1 Wh = 1 money unit", () => {
    // 1.5 kWh at 0.22/kWh = 0.33 = 33,000,000 units of 10^-8
    expect(moneyOf(22_000, 1_500)).toBe(33_000_000);
    expect(() => moneyOf(10_000_000, 1e12)).toThrow(/exact integer range/);
  });
});

describe("money on the wire", () => {
  it("formats with exactly eight decimals", () => {
    expect(formatMoney(33_000_000)).toBe("0.33000000");
    expect(formatMoney(-1)).toBe("-0.00000001");
    expect(formatMoney(1_234_500_000_000)).toBe("12345.00000000");
  });

  it("parses what it formats, for any safe amount", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        (u) => parseMoney(formatMoney(u)) === u,
      ),
    );
  });

  it("refuses money that is not a decimal string with 8 decimals", () => {
    expect(() => parseMoney("1.5")).toThrow(/exactly 8 decimals/);
    expect(() => parseMoney("abc")).toThrow(/exactly 8 decimals/);
  });
});

describe("rounding to cents", () => {
  it("rounds half to even", () => {
    const cent = 1_000_000;
    expect(toMinorUnits(cent / 2)).toBe(0); // 0.005 -> 0.00
    expect(toMinorUnits(cent + cent / 2)).toBe(2); // 0.015 -> 0.02
    expect(toMinorUnits(2 * cent + cent / 2)).toBe(2); // 0.025 -> 0.02
    expect(toMinorUnits(-cent / 2 - 1)).toBe(-1);
    expect(toMinorUnits(cent / 2 + 1)).toBe(1);
  });

  it("rounds statement lines so that they add up to the rounded total", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e12, max: 1e12 }), { minLength: 1, maxLength: 20 }), (amounts) => {
        const parts = roundPartsToMinor(amounts);
        const total = toMinorUnits(amounts.reduce((s, a) => s + a, 0));
        const sum = parts.reduce((s, p) => s + p, 0);
        // and no part moves more than one cent from its exact value
        const close = parts.every((p, i) => Math.abs(p - (amounts[i] ?? 0) / 1_000_000) < 1 + 1e-9);
        return sum === total && close;
      }),
    );
  });
});
