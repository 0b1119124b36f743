import { describe, expect, it } from "vitest";
import { bookCurves, OrderInput } from "../src/index.js";

const order = (o: Record<string, unknown>) =>
  OrderInput.parse({ clientOrderId: "x", slot: "2026-06-21T10:00:00Z", ...o });

describe("the operator's order book curves", () => {
  it("add up buys dearest first and sells cheapest first, steps included, naming no household", () => {
    const book = bookCurves("2026-06-21T10:00:00.000Z", "electricity", [
      order({ side: "buy", energyWh: 500, limitPrice: 0.2 }),
      order({ side: "buy", energyWh: 300, limitPrice: 0.25 }),
      order({
        side: "buy",
        steps: [
          { price: 0.2, energyWh: 100 },
          { price: 0.1, energyWh: 200 },
        ],
      }),
      order({ side: "sell", energyWh: 400, limitPrice: 0.12, source: "pv" }),
      order({ side: "sell", energyWh: 600, limitPrice: 0.09, source: "pv" }),
    ]);
    expect(book.demand).toEqual([
      { price: 0.25, cumulativeWh: 300 },
      { price: 0.2, cumulativeWh: 900 },
      { price: 0.1, cumulativeWh: 1100 },
    ]);
    expect(book.supply).toEqual([
      { price: 0.09, cumulativeWh: 600 },
      { price: 0.12, cumulativeWh: 1000 },
    ]);
    expect([book.buyOrders, book.sellOrders]).toEqual([3, 2]);
    expect(JSON.stringify(book)).not.toContain("householdId");
  });
});
