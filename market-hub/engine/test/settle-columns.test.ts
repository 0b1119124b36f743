import {
  type BookOrder,
  type ClearingOutcome,
  clear,
  clearUniformColumns,
  fillColumns,
  KpiAccumulator,
  type MeteredSlot,
  type SlotColumns,
  settle,
  settleColumns,
  type TariffTicks,
} from "@openlem/engine";
import { addMoney } from "@openlem/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbBook, arbTariff, params } from "./books.js";

const at = Date.parse("2026-06-21T10:10:00Z");
const slot = "2026-06-21T10:15:00Z";

/** The fills of an object clearing as columns: a row per order step, a participant per household id. */
function columnsOf(orders: BookOrder[], outcome: ClearingOutcome, tariff: TariffTicks) {
  const rows = orders.flatMap((o) => o.steps.map((_, step) => ({ o, step })));
  const ids = [...new Set(orders.map((o) => o.householdId))];
  const rowOf = (id: string, step: number) => rows.findIndex((r) => r.o.id === id && r.step === step);
  const { local, localValue, utility } = fillColumns(outcome.fills, rows.length, (f) => rowOf(f.orderId, f.step));
  return {
    ids,
    slot: {
      n: rows.length,
      isBuy: Uint8Array.from(rows, ({ o }) => (o.side === "buy" ? 1 : 0)),
      participant: Int32Array.from(rows, ({ o }) => ids.indexOf(o.householdId)),
      participants: ids.length,
      local,
      localValue,
      utility,
      importWh: new Float64Array(ids.length),
      exportWh: new Float64Array(ids.length),
      tariff,
    } satisfies SlotColumns,
  };
}

const arbMeter = fc.array(fc.record({ importWh: fc.nat(4_000), exportWh: fc.nat(4_000) }), {
  minLength: 12,
  maxLength: 12,
});

describe("settlement on columns", () => {
  it("books each participant what its ledger lines add up to, and the KPIs' totals, for every call mechanism", () => {
    fc.assert(
      fc.property(
        arbBook(),
        arbTariff,
        fc.constantFrom("uniform" as const, "pay-as-bid" as const, "per-source" as const),
        arbMeter,
        (orders, tariff, mechanism, meters) => {
          const market = {
            ...params(mechanism, tariff),
            sourceOrder: ["pv" as const, "chp" as const, "other" as const],
          };
          const outcome = clear({ market, orders, atMs: at });
          const { ids, slot: columns } = columnsOf(orders, outcome, tariff);
          const metered: MeteredSlot[] = ids.map((householdId, p) => {
            const m = meters[p] ?? { importWh: 0, exportWh: 0 };
            columns.importWh[p] = m.importWh;
            columns.exportWh[p] = m.exportWh;
            return { householdId, slot, commodity: "electricity", ...m };
          });
          const { lines } = settle({ fills: [{ slot, fills: outcome.fills }], metered, tariff: () => tariff });
          const s = settleColumns(columns);
          ids.forEach((id, p) => {
            const own = lines.filter((l) => l.account === id).reduce((a, l) => addMoney(a, l.amount), 0);
            expect(s.amount[p]).toBe(own);
          });
          const byLedger = new KpiAccumulator(15, () => tariff);
          byLedger.addLedger(lines);
          const byColumns = new KpiAccumulator(15, () => tariff);
          byColumns.addSettled(s);
          expect(byColumns.result()).toEqual(byLedger.result());
        },
      ),
      { numRuns: 300 },
    );
  });

  it("takes the uniform clearing's own values", () => {
    fc.assert(
      fc.property(arbBook(), arbTariff, (orders, tariff) => {
        const outcome = clear({ market: params("uniform", tariff), orders, atMs: at });
        const { slot: fromFills } = columnsOf(orders, outcome, tariff);
        const rows = orders.flatMap((o) => o.steps.map((st, step) => ({ o, st, step })));
        const ids = [...new Set(orders.map((o) => o.householdId))];
        const byColumns = clearUniformColumns(
          {
            n: rows.length,
            isBuy: Uint8Array.from(rows, ({ o }) => (o.side === "buy" ? 1 : 0)),
            priceTicks: Float64Array.from(rows, ({ st }) => st.priceTicks),
            energyWh: Float64Array.from(rows, ({ st }) => st.energyWh),
            tieKey: Float64Array.from(rows, ({ o, step }) => o.seq * 256 + step),
            participant: Int32Array.from(rows, ({ o }) => ids.indexOf(o.householdId)),
            participants: ids.length,
          },
          tariff,
        );
        expect(Array.from(byColumns.localValue)).toEqual(Array.from(fromFills.localValue));
      }),
      { numRuns: 200 },
    );
  });

  it("names a column that does not fit", () => {
    const one = {
      n: 1,
      isBuy: new Uint8Array(1),
      participant: new Int32Array(1),
      participants: 1,
      local: new Float64Array(1),
      localValue: new Float64Array(1),
      utility: new Float64Array(1),
      importWh: new Float64Array(1),
      exportWh: new Float64Array(1),
      tariff: { retail: 22_000, feedIn: 9_000, fee: 0 },
    };
    expect(() => settleColumns({ ...one, exportWh: new Float64Array(0) })).toThrow(
      /column exportWh has 0 participants, the slot has 1/,
    );
    expect(() => settleColumns({ ...one, localValue: new Float64Array(0) })).toThrow(
      /column localValue has 0 rows, the book has 1/,
    );
    expect(() => settleColumns({ ...one, participant: Int32Array.of(3) })).toThrow(
      /participant\[0\] = 3 is outside 0..0/,
    );
  });
});
