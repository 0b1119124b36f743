import { type BookOrder, clear, type PriceRule, priceTarget } from "@openlem/engine";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbBook, arbShuffledBook, arbTariff, canonical, params } from "./books.js";

const at = Date.parse("2026-06-21T10:10:00Z");
const runs = { numRuns: 300 };
const RULES: PriceRule[] = ["mid-market", "supply-demand-ratio"];

describe("the supply–demand-ratio price (Liu et al. 2017)", () => {
  const tariff = { retail: 22_000, feedIn: 9_000, fee: 0 };
  it("is retail with no supply, feed-in once supply meets demand, and falls in between", () => {
    expect(priceTarget("supply-demand-ratio", tariff, { demandWh: 100, supplyWh: 0 })).toBe(22_000);
    expect(priceTarget("supply-demand-ratio", tariff, { demandWh: 100, supplyWh: 100 })).toBe(9_000);
    expect(priceTarget("supply-demand-ratio", tariff, { demandWh: 100, supplyWh: 300 })).toBe(9_000);
    // SDR 0.5: 9 × 22 / (13 × 0.5 + 9) = 12.77 ct
    expect(priceTarget("supply-demand-ratio", tariff, { demandWh: 200, supplyWh: 100 })).toBeCloseTo(12_774.19, 1);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        const p = (x: number) =>
          priceTarget("supply-demand-ratio", tariff, { demandWh: 1000, supplyWh: x * 1000 }) ?? 0;
        if (a < b) expect(p(a)).toBeGreaterThanOrEqual(p(b));
      }),
    );
  });
  it("the mid-market rate is the middle of feed-in and retail", () => {
    expect(priceTarget("mid-market", tariff, { demandWh: 1, supplyWh: 5 })).toBe(15_500);
    expect(priceTarget("k-double", tariff, { demandWh: 1, supplyWh: 5 })).toBeNull();
    expect(priceTarget("mid-market", null, { demandWh: 1, supplyWh: 5 })).toBeNull();
  });
});

describe.each(RULES)("%s: a rule that shares the gain keeps the market's invariants", (rule) => {
  const run = (mechanism: "uniform" | "per-source", orders: BookOrder[], tariff: Parameters<typeof params>[1]) =>
    clear({ market: { ...params(mechanism, tariff), uniformPricing: rule }, orders, atMs: at, final: true });

  it.each(["uniform", "per-source"] as const)(
    "%s: balances the budget, pays nobody below their ask or charges above their bid, and stays within feed-in and retail",
    (mechanism) => {
      fc.assert(
        fc.property(arbBook({ distinctParticipants: true }), arbTariff, (orders, tariff) => {
          fc.pre(tariff.feedIn <= tariff.retail);
          const r = run(mechanism, orders, tariff);
          const byId = new Map(orders.map((o) => [o.id, o]));
          for (const m of r.markets) {
            const local = r.fills.filter((f) => f.market === m.market && f.counterparty === "local");
            const paid = local.filter((f) => f.side === "buy").reduce((a, f) => a + f.energyWh * f.priceTicks, 0);
            const got = local.filter((f) => f.side === "sell").reduce((a, f) => a + f.energyWh * f.priceTicks, 0);
            expect(paid).toBe(got);
          }
          for (const f of r.fills) {
            if (f.counterparty !== "local") continue;
            const o = byId.get(f.orderId) as BookOrder;
            const step = o.steps[f.step]?.priceTicks as number;
            const own = o.side === "buy" && f.market !== "all" ? o.sourceLimitTicks?.[f.market] : undefined;
            if (f.side === "buy") expect(f.priceTicks + f.gridFeeTicks).toBeLessThanOrEqual(own ?? step);
            else expect(f.priceTicks).toBeGreaterThanOrEqual(step);
            expect(f.priceTicks).toBeGreaterThanOrEqual(tariff.feedIn);
            expect(f.priceTicks + f.gridFeeTicks).toBeLessThanOrEqual(tariff.retail);
          }
        }),
        runs,
      );
    },
  );

  it("trades the same orders and volume as the k-double auction, at a price between the accepted ask and bid", () => {
    fc.assert(
      fc.property(arbBook({ distinctParticipants: true }), arbTariff, (orders, tariff) => {
        const shared = run("uniform", orders, tariff);
        const k = clear({ market: params("uniform", tariff), orders, atMs: at, final: true });
        expect(shared.markets[0]?.localWh).toBe(k.markets[0]?.localWh);
        const filled = (r: typeof k) => canonical(r.fills.map((f) => ({ ...f, priceTicks: 0 })));
        expect(filled(shared)).toEqual(filled(k));
      }),
      runs,
    );
  });

  it("gives the same result whatever order the book arrives in", () => {
    fc.assert(
      fc.property(arbShuffledBook(), arbTariff, ([orders, shuffled], tariff) => {
        expect(canonical(run("uniform", shuffled, tariff).fills)).toEqual(
          canonical(run("uniform", orders, tariff).fills),
        );
      }),
      runs,
    );
  });
});

describe("the price a sharing rule gives where bids leave room", () => {
  it("is the mid-market rate when every buyer bids retail and every seller asks feed-in", () => {
    const tariff = { retail: 22_000, feedIn: 9_000, fee: 0 };
    const orders: BookOrder[] = [
      {
        id: "b",
        householdId: "h1",
        side: "buy",
        commodity: "electricity",
        source: null,
        seq: 1,
        steps: [{ priceTicks: 22_000, energyWh: 500 }],
      },
      {
        id: "s",
        householdId: "h2",
        side: "sell",
        commodity: "electricity",
        source: "pv",
        seq: 2,
        steps: [{ priceTicks: 9_000, energyWh: 1000 }],
      },
    ];
    const price = (rule: PriceRule) =>
      clear({ market: { ...params("uniform", tariff), uniformPricing: rule }, orders, atMs: at, final: true })
        .markets[0]?.priceTicks;
    // the k-double auction: the sellers' surplus sets the price at their ask
    expect(price("k-double")).toBe(9_000);
    expect(price("mid-market")).toBe(15_500);
    // supply twice the demand: the SDR price is the feed-in tariff
    expect(price("supply-demand-ratio")).toBe(9_000);
  });
});
