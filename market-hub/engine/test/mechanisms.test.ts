import { clear } from "@openlem/engine";
import { describe, expect, it } from "vitest";
import { buy, filled, params, sell, TARIFF } from "./books.js";

const at = Date.parse("2026-06-21T10:10:00Z");

describe("uniform price (merit order, pay-as-clear)", () => {
  it("prices at the middle (k = 0.5) of the market-clearing interval when nobody is rationed", () => {
    const r = clear({
      market: params("uniform"),
      orders: [buy("b", "h1", 1000, 20_000), sell("s", "h2", 1000, 10_000)],
      atMs: at,
    });
    expect(r.markets[0]?.priceTicks).toBe(15_000);
    expect(filled(r)).toEqual({ b: 1000, s: 1000 });
    expect(r.localWh).toBe(1000);
  });

  it("bounds the price by the first rejected ask, also when prices spread too wide to index (sorted-levels path)", () => {
    const r = clear({
      market: params("uniform", null),
      orders: [buy("b", "h1", 1000, 9_000_000), sell("s", "h2", 1000, 1_000), sell("t", "h3", 500, 8_000_000)],
      atMs: at,
    });
    // [max(last ask 1,000, no rejected bid), min(last bid 9,000,000, rejected ask 8,000,000)]
    expect(r.markets[0]?.priceTicks).toBe(4_000_500);
    expect(filled(r)).toEqual({ b: 1000, s: 1000 });
  });

  it("fills the buyers above the margin and rations the marginal buyer", () => {
    // Demand 10 kWh at 20 ct and 5 kWh at 12 ct against 12 kWh at 10 ct: 12 kWh clear. The
    // buyer at 12 ct is rationed, so the price is 12 ct: rationing only at the price itself.
    const r = clear({
      market: params("uniform"),
      orders: [buy("a", "h1", 10_000, 20_000), buy("b", "h2", 5_000, 12_000), sell("s", "h3", 12_000, 10_000)],
      atMs: at,
      final: false,
    });
    expect(r.markets[0]?.priceTicks).toBe(12_000);
    expect(filled(r)).toEqual({ a: 10_000, b: 2_000, s: 12_000 });
    expect(r.remainders).toEqual([{ orderId: "b", step: 0, remainingWh: 3_000 }]);
  });

  it("shares the marginal volume pro rata, not by arrival", () => {
    const orders = [
      buy("late-big", "h1", 600, 20_000),
      buy("early-small", "h2", 300, 20_000),
      sell("s", "h3", 600, 10_000),
    ];
    const r = clear({ market: params("uniform", null), orders, atMs: at, final: false });
    expect(filled(r)).toEqual({ "late-big": 400, "early-small": 200, s: 600 });
  });

  it("gives the last indivisible Wh to the larger remainders, then to the earlier order", () => {
    const x = buy("x", "h1", 1, 20_000);
    const y = buy("y", "h2", 1, 20_000);
    const z = buy("z", "h3", 1, 20_000);
    const s = sell("s", "h4", 2, 10_000);
    const forward = clear({ market: params("uniform", null), orders: [x, y, z, s], atMs: at });
    const backward = clear({ market: params("uniform", null), orders: [s, z, y, x], atMs: at });
    expect(filled(forward)).toEqual({ x: 1, y: 1, s: 2 });
    expect(filled(backward)).toEqual(filled(forward));
  });

  it("sends residual demand and supply to the utility where the limits allow", () => {
    const r = clear({
      market: params("uniform"),
      orders: [
        buy("inflexible", "h1", 2000, 25_000),
        buy("boiler", "h2", 1000, 15_000),
        sell("pv", "h3", 500, 10_000),
        sell("surplus", "h4", 300, 8_000),
        sell("battery", "h5", 400, 20_000, "battery"),
      ],
      atMs: at,
    });
    // The inflexible buyer competes at retail (22 ct). Up to 20 ct only 800 Wh are offered;
    // with the battery's 400 Wh at 20 ct, 1,200 Wh clear, and the inflexible buyer is
    // rationed: the price is its bid, 22 ct (it buys the rest from the utility at the same
    // price), and the boiler (15 ct) waits.
    expect(r.markets[0]?.priceTicks).toBe(22_000);
    expect(filled(r)).toEqual({ inflexible: 1200, pv: 500, surplus: 300, battery: 400 });
    expect(filled(r, "utility")).toEqual({ inflexible: 800 });
    const utilityBuy = r.fills.find((f) => f.counterparty === "utility");
    expect(utilityBuy?.priceTicks).toBe(TARIFF.retail);
    expect(r.fromUtilityWh).toBe(800);
    expect(r.toUtilityWh).toBe(0);
    expect(r.remainders.map((x) => x.orderId)).toEqual(["boiler"]);
    const price = r.markets[0]?.priceTicks ?? 0;
    expect(price).toBeGreaterThanOrEqual(TARIFF.feedIn);
    expect(price).toBeLessThanOrEqual(TARIFF.retail);
  });

  it("sells what nobody local wants to the utility at the feed-in tariff", () => {
    const r = clear({ market: params("uniform"), orders: [sell("pv", "h1", 700, 5_000)], atMs: at });
    expect(filled(r, "utility")).toEqual({ pv: 700 });
    expect(r.fills[0]?.priceTicks).toBe(TARIFF.feedIn);
    expect(r.toUtilityWh).toBe(700);
  });

  it("adds the local grid fee to what buyers pay and keeps them within their limit", () => {
    const market = params("uniform", { ...TARIFF, fee: 1_000 });
    const r = clear({ market, orders: [buy("b", "h1", 1000, 22_000), sell("s", "h2", 1000, 9_000)], atMs: at });
    const b = r.fills.find((f) => f.orderId === "b");
    expect(r.markets[0]?.priceTicks).toBe(15_000); // midpoint of 9 ct and 22 - 1 ct
    expect(b?.gridFeeTicks).toBe(1_000);
    expect((b?.priceTicks ?? 0) + (b?.gridFeeTicks ?? 0)).toBeLessThanOrEqual(22_000);
    expect(r.fills.find((f) => f.orderId === "s")?.gridFeeTicks).toBe(0);
  });

  it("never matches a participant's own buy and sell", () => {
    const r = clear({
      market: params("uniform"),
      orders: [
        buy("own-buy", "h1", 1000, 20_000),
        sell("own-sell", "h1", 600, 10_000),
        sell("other", "h2", 1000, 15_000),
      ],
      atMs: at,
      final: false,
    });
    expect(r.selfCrossCancelledWh).toBe(600);
    expect(filled(r)).toEqual({ "own-buy": 400, other: 400 });
    // "other" is rationed at 15 ct: that is the price
    expect(r.markets[0]?.priceTicks).toBe(15_000);
  });

  it("gives self-trade-cancelled energy no utility fallback, even at or above retail", () => {
    // h1 buys 1,000 Wh at 25 ct and sells 600 Wh at 5 ct: 600 Wh cancel behind its meter; only
    // the 400 Wh beyond them reach the utility, at retail, and the sell has nothing left
    const r = clear({
      market: params("uniform"),
      orders: [buy("own-buy", "h1", 1000, 25_000), sell("own-sell", "h1", 600, 5_000)],
      atMs: at,
    });
    expect(r.selfCrossCancelledWh).toBe(600);
    expect(filled(r, "utility")).toEqual({ "own-buy": 400 });
    expect(r.fromUtilityWh).toBe(400);
    expect(r.toUtilityWh).toBe(0);
    expect(r.localWh).toBe(0);
  });

  it("clears curve orders step by step", () => {
    const curve = buy("curve", "h1", 0, 0, {
      steps: [
        { priceTicks: 20_000, energyWh: 500 },
        { priceTicks: 15_000, energyWh: 500 },
        { priceTicks: 10_000, energyWh: 1000 },
      ],
    });
    const r = clear({
      market: params("uniform"),
      orders: [curve, sell("s", "h2", 1200, 12_000)],
      atMs: at,
      final: false,
    });
    // the seller (12 ct) is rationed: the price is its ask
    expect(r.markets[0]?.priceTicks).toBe(12_000);
    expect(r.fills.filter((f) => f.orderId === "curve").map((f) => [f.step, f.energyWh])).toEqual([
      [0, 500],
      [1, 500],
    ]);
    expect(r.remainders).toEqual(
      expect.arrayContaining([
        { orderId: "curve", step: 2, remainingWh: 1000 },
        { orderId: "s", step: 0, remainingWh: 200 },
      ]),
    );
  });

  it("sits out orders outside their validity window", () => {
    const expired = buy("expired", "h1", 1000, 20_000, { validUntilMs: at });
    const early = buy("early", "h2", 1000, 20_000, { validFromMs: at + 1 });
    const r = clear({
      market: params("uniform"),
      orders: [expired, early, sell("s", "h3", 500, 10_000)],
      atMs: at,
      final: false,
    });
    expect(r.inactiveOrderIds.sort()).toEqual(["early", "expired"]);
    expect(r.localWh).toBe(0);
  });

  it("keeps unsettled energy in the book for a later round while valid", () => {
    const b = buy("b", "h1", 1000, 20_000, { validUntilMs: at + 3_600_000 });
    const first = clear({
      market: params("uniform"),
      orders: [b, sell("s1", "h2", 400, 10_000)],
      atMs: at,
      final: false,
    });
    expect(first.remainders).toEqual([{ orderId: "b", step: 0, remainingWh: 600 }]);
    const rest = { ...b, steps: [{ priceTicks: 20_000, energyWh: first.remainders[0]?.remainingWh ?? 0 }] };
    const second = clear({
      market: params("uniform"),
      orders: [rest, sell("s2", "h3", 1000, 12_000)],
      atMs: at + 900_000,
      final: false,
    });
    expect(filled(second)).toEqual({ b: 600, s2: 600 });
  });

  it("clears heat as its own commodity, with no utility when heat has no tariff", () => {
    const heatBuy = { ...buy("hb", "h1", 3000, 12_000), commodity: "heat" as const };
    const heatSell = { ...sell("hs", "chp", 2000, 6_000, "chp"), commodity: "heat" as const };
    const r = clear({
      market: { ...params("uniform", null), commodity: "heat" },
      orders: [heatBuy, heatSell],
      atMs: at,
    });
    // heat is short: the rationed buyer's 12 ct is the price
    expect(r.markets[0]?.priceTicks).toBe(12_000);
    expect(filled(r)).toEqual({ hb: 2000, hs: 2000 });
    expect(r.fromUtilityWh).toBe(0);
    expect(r.remainders).toEqual([{ orderId: "hb", step: 0, remainingWh: 1000 }]);
    expect(() => clear({ market: params("uniform"), orders: [heatBuy], atMs: at })).toThrow(/is for heat/);
  });
});

describe("per-source markets cleared in turn (Landau)", () => {
  it("clears PV first, then CHP, with each buyer's own price per source", () => {
    const orders = [
      sell("pv", "plant", 1000, 8_000, "pv"),
      sell("chp", "chp", 2000, 12_000, "chp"),
      buy("b1", "h1", 1500, 14_000, { sourceLimitTicks: { pv: 20_000, chp: 13_000 } }),
      buy("b2", "h2", 1000, 10_000, { sourceLimitTicks: { pv: 15_000 } }),
    ];
    const r = clear({ market: { ...params("per-source"), sourceOrder: ["pv", "chp"] }, orders, atMs: at });
    const [pv, chp] = r.markets;
    expect(pv?.market).toBe("pv");
    // PV is short: b1 (20 ct for PV) is rationed, so PV clears at 20 ct; b2 (15 ct) envies nobody
    expect(pv?.priceTicks).toBe(20_000);
    expect(pv?.localWh).toBe(1000);
    expect(chp?.market).toBe("chp");
    // CHP is long: the rationed CHP ask (12 ct) is the price
    expect(chp?.priceTicks).toBe(12_000);
    expect(chp?.localWh).toBe(500);
    expect(r.fills.filter((f) => f.orderId === "b1").map((f) => [f.market, f.source, f.energyWh])).toEqual([
      ["pv", "pv", 1000],
      ["chp", "chp", 500],
    ]);
    // b2 bids 10 ct for CHP (its default limit) and below retail, so it stays unfilled.
    expect(filled(r).b2).toBeUndefined();
    expect(r.remainders).toEqual(
      expect.arrayContaining([
        { orderId: "b2", step: 0, remainingWh: 1000 },
        { orderId: "chp", step: 0, remainingWh: 1500 },
      ]),
    );
  });
});

describe("pay-as-bid", () => {
  it("matches in price order and prices each match at the buyer's bid", () => {
    const orders = [
      buy("b1", "h1", 500, 20_000),
      buy("b2", "h2", 500, 15_000),
      sell("s1", "h3", 600, 10_000),
      sell("s2", "h4", 400, 14_000),
    ];
    const r = clear({ market: params("pay-as-bid"), orders, atMs: at });
    expect(r.matches).toEqual([
      { buyOrderId: "b1", sellOrderId: "s1", energyWh: 500, priceTicks: 20_000 },
      { buyOrderId: "b2", sellOrderId: "s1", energyWh: 100, priceTicks: 15_000 },
      { buyOrderId: "b2", sellOrderId: "s2", energyWh: 400, priceTicks: 15_000 },
    ]);
    expect(r.markets[0]?.priceTicks).toBeNull();
    expect(r.localWh).toBe(1000);
  });
});

describe("continuous matching", () => {
  it("trades at the resting price, best price first, then earliest", () => {
    const orders = [
      sell("s-early", "h1", 500, 12_000),
      sell("s-cheap", "h2", 500, 11_000),
      sell("s-late", "h3", 500, 12_000),
      buy("b", "h4", 1200, 13_000),
    ];
    const r = clear({ market: params("continuous"), orders, atMs: at, final: false });
    expect(r.matches).toEqual([
      { buyOrderId: "b", sellOrderId: "s-cheap", energyWh: 500, priceTicks: 11_000 },
      { buyOrderId: "b", sellOrderId: "s-early", energyWh: 500, priceTicks: 12_000 },
      { buyOrderId: "b", sellOrderId: "s-late", energyWh: 200, priceTicks: 12_000 },
    ]);
  });

  it("passes by the participant's own resting orders, which keep their place", () => {
    const orders = [
      sell("own", "h1", 500, 11_000),
      sell("other", "h2", 500, 12_000),
      buy("b", "h1", 700, 13_000),
      buy("b2", "h3", 100, 11_000),
    ];
    const r = clear({ market: params("continuous"), orders, atMs: at, final: false });
    expect(r.matches).toEqual([
      { buyOrderId: "b", sellOrderId: "other", energyWh: 500, priceTicks: 12_000 },
      { buyOrderId: "b2", sellOrderId: "own", energyWh: 100, priceTicks: 11_000 },
    ]);
    expect(r.remainders).toEqual(
      expect.arrayContaining([
        { orderId: "b", step: 0, remainingWh: 200 },
        { orderId: "own", step: 0, remainingWh: 400 },
      ]),
    );
  });

  it("lets resting orders expire at the end of their validity", async () => {
    const { ContinuousBook } = await import("@openlem/engine");
    const book = new ContinuousBook(null);
    book.submit(sell("s", "h1", 500, 10_000, "pv", { validUntilMs: at + 60_000 }), at);
    expect(book.submit(buy("b1", "h2", 100, 12_000), at + 30_000)).toHaveLength(1);
    expect(book.submit(buy("b2", "h3", 100, 12_000), at + 60_000)).toHaveLength(0);
  });
});
