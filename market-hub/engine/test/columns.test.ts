import { type BookColumns, type BookOrder, clear, clearUniformColumns, SOURCE_CODES } from "@openlem/engine";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbBook, arbTariff, params } from "./books.js";

const at = Date.parse("2026-06-21T10:10:00Z");

function toColumns(orders: BookOrder[]): { columns: BookColumns; rows: { id: string; step: number }[] } {
  const rows = orders.flatMap((o) => o.steps.map((_, step) => ({ o, step })));
  const ids = [...new Set(orders.map((o) => o.householdId))];
  return {
    rows: rows.map(({ o, step }) => ({ id: o.id, step })),
    columns: {
      n: rows.length,
      isBuy: Uint8Array.from(rows, ({ o }) => (o.side === "buy" ? 1 : 0)),
      priceTicks: Float64Array.from(rows, ({ o, step }) => o.steps[step]?.priceTicks ?? 0),
      energyWh: Float64Array.from(rows, ({ o, step }) => o.steps[step]?.energyWh ?? 0),
      tieKey: Float64Array.from(rows, ({ o, step }) => o.seq * 256 + step),
      participant: Int32Array.from(rows, ({ o }) => ids.indexOf(o.householdId)),
      participants: ids.length,
      source: Uint8Array.from(rows, ({ o }) => SOURCE_CODES.indexOf(o.source ?? "other")),
    },
  };
}

describe("uniform price on columns", () => {
  it("gives exactly the fills of the object path, row by row", () => {
    fc.assert(
      fc.property(arbBook(), fc.option(arbTariff, { nil: null }), fc.boolean(), (orders, tariff, final) => {
        const byObjects = clear({ market: params("uniform", tariff), orders, atMs: at, final });
        const { columns, rows } = toColumns(orders);
        const byColumns = clearUniformColumns(columns, tariff, { final });
        expect(byColumns.priceTicks).toBe(byObjects.markets[0]?.priceTicks ?? null);
        expect(byColumns.localWh).toBe(byObjects.localWh);
        expect(byColumns.fromUtilityWh).toBe(byObjects.fromUtilityWh);
        expect(byColumns.toUtilityWh).toBe(byObjects.toUtilityWh);
        expect(byColumns.selfCrossCancelledWh).toBe(byObjects.selfCrossCancelledWh);
        rows.forEach((r, k) => {
          const of = (cp: string) =>
            byObjects.fills
              .filter((f) => f.orderId === r.id && f.step === r.step && f.counterparty === cp)
              .reduce((s, f) => s + f.energyWh, 0);
          expect(byColumns.local[k]).toBe(of("local"));
          expect(byColumns.utility[k]).toBe(of("utility"));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("uses caller-given participant keys like participant ids", () => {
    fc.assert(
      fc.property(arbBook({ participants: 3 }), arbTariff, (orders, tariff) => {
        const keyed = orders.map((o) => ({ ...o, householdKey: Number(o.householdId.slice(1)) }));
        const a = clear({ market: params("uniform", tariff), orders, atMs: at });
        const b = clear({ market: params("uniform", tariff), orders: keyed, atMs: at });
        expect(b.fills).toEqual(a.fills);
        expect(b.selfCrossCancelledWh).toBe(a.selfCrossCancelledWh);
      }),
      { numRuns: 200 },
    );
  });

  it("names a column that does not fit the book", () => {
    const { columns } = toColumns([]);
    expect(() => clearUniformColumns({ ...columns, n: 2 }, null)).toThrow(/column isBuy has 0 rows, the book has 2/);
    const one = toColumns([
      {
        id: "a",
        seq: 1,
        householdId: "p",
        side: "buy",
        commodity: "electricity",
        steps: [{ priceTicks: 1, energyWh: 1 }],
        source: null,
      },
    ]).columns;
    expect(() => clearUniformColumns({ ...one, participants: 0 }, null)).toThrow(/participant\[0\] = 0 is outside/);
  });
});
