import {
  checkOrderForMarket,
  fieldProblems,
  MarketConfig,
  MeterReading,
  type Order,
  OrderBatch,
  OrderInput,
  orderEnergyWh,
  StandingPreference,
} from "@openlem/protocol";
import { describe, expect, it } from "vitest";
import type { z } from "zod";

function problems(schema: z.ZodType, value: unknown) {
  const r = schema.safeParse(value);
  return r.success ? [] : fieldProblems(r.error);
}

const market = MarketConfig.parse({
  timeZone: "Europe/Berlin",
  retailPrice: 0.22,
  feedInTariff: 0.09,
  priceFloor: 0,
  priceCap: 0.5,
});

const buy = { clientOrderId: "b1", side: "buy", slot: "2026-06-21T10:15:00Z", energyWh: 1000, limitPrice: 0.2 };

describe("market configuration", () => {
  it("fills in the defaults: 15-minute slots, uniform price, EUR", () => {
    expect(market.slotMinutes).toBe(15);
    expect(market.mechanism).toBe("uniform");
    expect(market.currency).toBe("EUR");
    expect(market.heat).toBeNull();
  });

  it("names the field and the rule for every broken rule", () => {
    const p = problems(MarketConfig, {
      slotMinutes: 7,
      timeZone: "Mars/Olympus",
      retailPrice: 0.09,
      feedInTariff: 0.22,
      priceFloor: 0.3,
      priceCap: 0.2,
      currency: "euro",
    });
    const fields = p.map((x) => x.field);
    expect(fields).toEqual(expect.arrayContaining(["slotMinutes", "timeZone", "currency"]));
    expect(p.find((x) => x.field === "slotMinutes")?.rule).toMatch(/divide a day/);
    expect(p.find((x) => x.field === "timeZone")?.rule).toMatch(/IANA/);
  });

  it("keeps floor and cap around the utility's prices", () => {
    const p = problems(MarketConfig, {
      timeZone: "UTC",
      retailPrice: 0.22,
      feedInTariff: 0.09,
      priceFloor: 0.1,
      priceCap: 0.2,
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "priceFloor", rule: expect.stringMatching(/feedInTariff/) }),
        expect.objectContaining({ field: "priceCap", rule: expect.stringMatching(/retailPrice/) }),
      ]),
    );
  });
});

describe("orders", () => {
  it("accepts a single-price buy and defaults the commodity to electricity", () => {
    const o = OrderInput.parse(buy);
    expect(o.commodity).toBe("electricity");
    expect(o.slot).toBe("2026-06-21T10:15:00.000Z");
    expect(orderEnergyWh(o)).toBe(1000);
  });

  it("refuses fractional energy and prices finer than a tick", () => {
    expect(problems(OrderInput, { ...buy, energyWh: 10.5 })).toEqual([
      { field: "energyWh", rule: "must be a whole number of Wh" },
    ]);
    expect(problems(OrderInput, { ...buy, energyWh: 0 })[0]?.rule).toMatch(/more than 0/);
    expect(problems(OrderInput, { ...buy, limitPrice: 0.123456 })[0]).toEqual({
      field: "limitPrice",
      rule: "must have at most 5 decimal places (the tick is 0.00001 per kWh)",
    });
  });

  it("wants either a single price or a curve", () => {
    expect(
      problems(OrderInput, {
        ...buy,
        steps: [
          { price: 0.2, energyWh: 1 },
          { price: 0.1, energyWh: 1 },
        ],
      })[0]?.field,
    ).toBe("steps");
    const { energyWh: _e, limitPrice: _l, ...bare } = buy;
    expect(problems(OrderInput, bare)[0]?.field).toBe("energyWh");
    expect(problems(OrderInput, { ...bare, limitPrice: 0.2 })[0]?.field).toBe("energyWh");
  });

  it("wants buy curves to fall and sell curves to rise, naming the step", () => {
    const { energyWh: _e, limitPrice: _l, ...bare } = buy;
    const rising = [
      { price: 0.1, energyWh: 100 },
      { price: 0.2, energyWh: 100 },
    ];
    expect(problems(OrderInput, { ...bare, steps: rising })[0]).toEqual({
      field: "steps[1].price",
      rule: "must be lower than the previous step's price (a buy curve falls)",
    });
    expect(problems(OrderInput, { ...bare, side: "sell", steps: rising })).toEqual([]);
    expect(problems(OrderInput, { ...bare, side: "sell", steps: [...rising].reverse() })[0]?.field).toBe(
      "steps[1].price",
    );
  });

  it("keeps source on sells and sourceLimits on buys", () => {
    expect(problems(OrderInput, { ...buy, source: "pv" })[0]?.field).toBe("source");
    expect(problems(OrderInput, { ...buy, side: "sell", sourceLimits: { pv: 0.2 } })[0]?.field).toBe("sourceLimits");
    expect(problems(OrderInput, { ...buy, sourceLimits: { pv: 0.2, coal: 0.1 } })[0]).toEqual({
      field: "sourceLimits",
      rule: "names an unknown source; sources are pv, chp, wind, battery, other",
    });
  });

  it("wants a validity window that ends after it starts", () => {
    expect(
      problems(OrderInput, { ...buy, validFrom: "2026-06-21T10:00:00Z", validUntil: "2026-06-21T09:00:00Z" })[0]?.field,
    ).toBe("validUntil");
  });

  it("takes batches of 1 to 1,000 orders and names the broken one", () => {
    expect(problems(OrderBatch, { orders: [] })[0]?.field).toBe("orders");
    const orders = Array.from({ length: 1001 }, (_, i) => ({ ...buy, clientOrderId: `o${i}` }));
    expect(problems(OrderBatch, { orders })[0]?.field).toBe("orders");
    const bad = [buy, buy, { ...buy, limitPrice: "cheap" }];
    expect(problems(OrderBatch, { orders: bad })[0]?.field).toBe("orders[2].limitPrice");
  });

  it("checks an order against the community: alignment, gate closure, floor and cap", () => {
    const o: Order = OrderInput.parse({ ...buy, limitPrice: 0.6, slot: "2026-06-21T10:20:00Z" });
    const v = checkOrderForMarket(o, market, "2026-06-21T10:16:00Z");
    expect(v.map((x) => x.path.join("."))).toEqual(["slot", "slot", "limitPrice"]);
    expect(v[1]?.message).toMatch(/gate closed at 2026-06-21T10:15:00.000Z/);
    expect(checkOrderForMarket(OrderInput.parse(buy), market, "2026-06-21T10:09:59Z")).toEqual([]);
    expect(checkOrderForMarket(OrderInput.parse(buy), market, "2026-06-21T10:10:00Z")[0]?.message).toMatch(
      /gate closed/,
    );
  });
});

describe("standing preferences and readings", () => {
  it("wants at least one price in a standing preference", () => {
    expect(problems(StandingPreference, {})[0]?.field).toBe("maxBuyPrice");
    expect(StandingPreference.parse({ minSellPrice: 0.1 }).maxBuyPrice).toBeNull();
  });

  it("refuses negative or fractional registers", () => {
    const r = { meterId: "m-1", at: "2026-06-21T10:15:00Z", importWh: 10, exportWh: 0 };
    expect(MeterReading.parse(r).at).toBe("2026-06-21T10:15:00.000Z");
    expect(problems(MeterReading, { ...r, importWh: -1 })[0]?.field).toBe("importWh");
    expect(problems(MeterReading, { ...r, exportWh: 1.5 })[0]?.field).toBe("exportWh");
    expect(problems(MeterReading, { ...r, meterId: "a/b" })[0]?.field).toBe("meterId");
  });
});
