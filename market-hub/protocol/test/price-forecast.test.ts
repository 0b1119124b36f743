import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CommunityId,
  expectedLocalPrice,
  localPriceForecast,
  localPriceOf,
  MarketConfig,
  PriceSignal,
  priceSignalAt,
  type SlotResult,
  slotsInLocalDay,
} from "../src/index.js";

const market = MarketConfig.parse({
  timeZone: "Europe/Amsterdam",
  retailPrice: 0.22,
  feedInTariff: 0.09,
  priceFloor: 0,
  priceCap: 0.5,
});
const SLOT_MS = 15 * 60_000;
const C = CommunityId.parse("c");
const DAY_MS = 86_400_000;

function result(startMs: number, price: number | null): SlotResult {
  return {
    communityId: C,
    slot: new Date(startMs).toISOString(),
    commodity: "electricity",
    mechanism: "uniform",
    clearedAt: new Date(startMs - 5 * 60_000).toISOString(),
    markets: [
      {
        market: "all",
        price,
        averagePrice: price,
        demandWh: 100,
        supplyWh: 100,
        localWh: price === null ? 0 : 100,
        supplyBySourceWh: {},
        buyOrders: 1,
        sellOrders: 1,
      },
    ],
    localWh: price === null ? 0 : 100,
    fromUtilityWh: 0,
    toUtilityWh: 0,
    retailPrice: 0.22,
    feedInTariff: 0.09,
    localGridFee: 0,
  };
}

describe("the price signal", () => {
  it("on a fresh hub: the slot under way and every slot to the end of tomorrow, at the retail price", () => {
    const now = Date.parse("2026-06-21T09:07:00Z"); // 11:07 in Amsterdam
    const s = PriceSignal.parse(priceSignalAt(C, market, "electricity", now, []));
    expect(s).toMatchObject({ slot: "2026-06-21T09:00:00.000Z", price: 0.22, kind: "forecast" });
    expect(s.forecast[0]?.start).toBe("2026-06-21T09:00:00.000Z");
    // to Amsterdam's midnight after tomorrow (22:00 UTC in summer)
    expect(s.forecast.at(-1)?.start).toBe("2026-06-22T21:45:00.000Z");
    expect(s.forecast.every((f) => f.kind === "forecast" && f.value === 0.22)).toBe(true);
  });

  it("counts the slots of a daylight-saving day: 100 on the last Sunday of October", () => {
    const now = Date.parse("2026-10-24T22:00:00Z"); // midnight in Amsterdam, the day before the change
    const s = priceSignalAt(C, market, "electricity", now, []);
    expect(s.forecast).toHaveLength(slotsInLocalDay("2026-10-25", market.timeZone, 15) + 96);
    expect(slotsInLocalDay("2026-10-25", market.timeZone, 15)).toBe(100);
  });

  it("has no hole, marks what cleared, and forecasts the rest from the week before (the mean of what a household met)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * 96 }),
        fc.array(fc.tuple(fc.integer({ min: -7 * 96, max: 2 * 96 }), fc.option(fc.integer({ min: 0, max: 50_000 }))), {
          maxLength: 400,
        }),
        (nowSlot, cleared) => {
          const t0 = Date.parse("2026-03-20T00:00:00Z");
          const now = t0 + nowSlot * SLOT_MS + 90_000;
          const results = new Map<number, SlotResult>();
          for (const [k, ticks] of cleared) {
            const at = t0 + (nowSlot + k) * SLOT_MS;
            results.set(at, result(at, ticks === null ? null : ticks / 100_000));
          }
          const s = priceSignalAt(C, market, "electricity", now, [...results.values()]);
          const starts = s.forecast.map((f) => Date.parse(f.start));
          expect(starts[0]).toBe(t0 + nowSlot * SLOT_MS);
          for (let i = 1; i < starts.length; i++) expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBe(SLOT_MS);
          expect(s.price).toBe(s.forecast[0]?.value);
          for (const f of s.forecast) {
            const at = Date.parse(f.start);
            const own = results.get(at);
            if (own) {
              expect(f).toEqual({ start: f.start, value: own.markets[0]?.price ?? 0.22, kind: "cleared" });
              continue;
            }
            expect(f.kind).toBe("forecast");
            // the week's same slots that cleared: their mean in ticks, no local trade at retail;
            // retail where none traded
            const met: number[] = [];
            let traded = false;
            for (let d = 1; d <= 7; d++) {
              const earlier = results.get(at - d * DAY_MS);
              if (!earlier) continue;
              const p = earlier.markets[0]?.price ?? null;
              if (p !== null) traded = true;
              met.push(Math.round((p ?? 0.22) * 100_000));
            }
            const expected = traded ? Math.round(met.reduce((a, x) => a + x, 0) / met.length) / 100_000 : 0.22;
            expect(f.value).toBe(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("the local price of a slot, one rule", () => {
  const t0 = Date.parse("2026-06-21T10:00:00Z");
  it("is the uniform price, else the first traded market's average, else null", () => {
    expect(localPriceOf(result(t0, 0.12))).toBe(0.12);
    expect(localPriceOf(result(t0, null))).toBeNull();
    // per-source: nothing in the PV market, the CHP market traded at 0.15 on average
    const r = result(t0, null);
    const [pv] = r.markets;
    if (!pv) throw new Error("no market");
    const perSource = {
      ...r,
      markets: [
        { ...pv, market: "pv" as const },
        { ...pv, market: "chp" as const, averagePrice: 0.15 },
      ],
    };
    expect(localPriceOf(perSource)).toBe(0.15);
  });

  it("forecasts the mean of the week before, retail on a day without local trade, null where nothing traded or nothing is known", () => {
    const slots = [t0, t0 + SLOT_MS, t0 + 2 * SLOT_MS, t0 + 3 * SLOT_MS, t0 + 4 * SLOT_MS];
    const history = [
      result(t0, 0.11), // cleared itself
      result(t0 + SLOT_MS - DAY_MS, 0.12), // yesterday
      result(t0 + SLOT_MS - 2 * DAY_MS, 0.19), // and the day before: the mean of both
      result(t0 + 2 * SLOT_MS - 3 * DAY_MS, 0.13), // three days back, nothing since
      result(t0 + 3 * SLOT_MS - DAY_MS, null), // cleared yesterday without local trade: retail
      result(t0 + 3 * SLOT_MS - 2 * DAY_MS, 0.14),
      result(t0 + 4 * SLOT_MS - DAY_MS, null), // never traded locally
      result(t0 + 4 * SLOT_MS - 8 * DAY_MS, 0.1), // more than a week back
    ];
    expect(localPriceForecast(slots, "electricity", history)).toEqual([
      { startMs: slots[0], value: 0.11, kind: "cleared" },
      { startMs: slots[1], value: 0.155, kind: "forecast" },
      { startMs: slots[2], value: 0.13, kind: "forecast" },
      { startMs: slots[3], value: 0.18, kind: "forecast" },
      { startMs: slots[4], value: null, kind: "forecast" },
    ]);
    expect(localPriceForecast(slots, "heat", history).every((f) => f.value === null)).toBe(true);
  });

  it("the expected price is the mean on whole ticks, whatever the order, and leaves out days without a retail price", () => {
    expect(expectedLocalPrice([])).toBeNull();
    expect(expectedLocalPrice([{ local: null, retail: 0.22 }])).toBeNull();
    const week = [
      { local: 0.1, retail: 0.22 },
      { local: null, retail: 0.22 },
      { local: 0.10001, retail: 0.22 },
      { local: null, retail: null },
    ];
    // (10,000 + 22,000 + 10,001) / 3 = 14,000.33 ticks
    expect(expectedLocalPrice(week)).toBe(0.14);
    expect(expectedLocalPrice([...week].reverse())).toBe(0.14);
  });
});
