import { type BookOrder, clear, type MarketParams, type MeteredSlot, settle, type TariffTicks } from "@openlem/engine";
import { addMoney, type Source } from "@openlem/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SlotMarket } from "../src/market/slot-market.js";

const at = Date.parse("2026-06-21T10:10:00Z");
const slot = "2026-06-21T10:15:00Z";
const tariff: TariffTicks = { retail: 22_000, feedIn: 9_000, fee: 1_500 };
const P = 8;

const arbOrder = fc.record({
  p: fc.nat(P - 1),
  buy: fc.boolean(),
  priceTicks: fc.integer({ min: 5_000, max: 30_000 }),
  energyWh: fc.integer({ min: 1, max: 5_000 }),
  source: fc.constantFrom<Source>("pv", "battery", "chp"),
});
const arbMeter = fc.record({ importWh: fc.nat(6_000), exportWh: fc.nat(6_000) });
const arbLimits = fc.option(fc.record({ pv: fc.integer({ min: 5_000, max: 30_000 }) }), { nil: undefined });

describe("the simulator's slot market", () => {
  it("clears and settles a slot as the engine's clear() and settle() do, per participant, for each mechanism it runs", () => {
    fc.assert(
      fc.property(
        fc.array(arbOrder, { maxLength: 24 }),
        fc.array(arbMeter, { minLength: P, maxLength: P }),
        fc.array(arbLimits, { minLength: P, maxLength: P }),
        fc.constantFrom("uniform" as const, "per-source" as const, "pay-as-bid" as const),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, meters, limits, mechanism, k) => {
          const market: MarketParams & { tariff: TariffTicks } = {
            commodity: "electricity",
            mechanism,
            tariff,
            sourceOrder: ["pv", "battery", "chp"],
            uniformPriceK: k,
          };
          const participants = Array.from({ length: P }, (_, p) => ({ id: `h${p}`, sourceLimitTicks: limits[p] }));
          const book = new SlotMarket(participants, rows.length, market);
          book.reset();
          for (const [p, m] of meters.entries()) book.meter(p, m.importWh, m.exportWh);
          const orders: BookOrder[] = rows.map((r, i) => {
            const row = book.order(r.p, r.buy, r.priceTicks, r.energyWh, r.buy ? null : r.source);
            expect(row).toBe(i);
            return {
              id: `o${i}`,
              seq: i + 1,
              householdId: `h${r.p}`,
              side: r.buy ? "buy" : "sell",
              commodity: "electricity",
              steps: [{ priceTicks: r.priceTicks, energyWh: r.energyWh }],
              source: r.buy ? null : r.source,
              sourceLimitTicks: r.buy ? limits[r.p] : undefined,
            };
          });
          const cleared = book.clear(at);
          const s = book.settle(cleared);

          const reference = clear({ market, orders, atMs: at });
          const metered: MeteredSlot[] = meters.map((m, p) => ({
            householdId: `h${p}`,
            slot,
            commodity: "electricity",
            ...m,
          }));
          const { lines } = settle({ fills: [{ slot, fills: reference.fills }], metered, tariff: () => tariff });
          const expected = new Array<number>(P).fill(0);
          for (const l of lines) {
            if (l.account.startsWith("@")) continue;
            const p = Number(l.account.slice(1));
            expected[p] = addMoney(expected[p] as number, l.amount);
          }
          expect(Array.from(s.amount)).toEqual(expected);
          expect(cleared.localWh).toBe(reference.localWh);
          // the local value (price ticks × Wh are money units) is what the sellers' ledger lines book
          let booked = 0;
          for (const l of lines) if (l.kind === "local-sell") booked -= l.amount;
          expect(cleared.localTicksWh).toBe(booked);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("refuses an order beyond the rows it was made for, naming its size, and keeps the book as it was", () => {
    const book = new SlotMarket([{ id: "h0" }], 1, {
      commodity: "electricity",
      mechanism: "uniform",
      tariff,
      sourceOrder: [],
    });
    book.order(0, true, 20_000, 100, null);
    expect(() => book.order(0, false, 10_000, 100, "pv")).toThrow(/holds 1 orders/);
    expect(book.n).toBe(1);
    expect(book.isBuy[0]).toBe(1);
  });
});
