import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { statementTotals } from "../src/statement-totals.js";

const KINDS = ["local-buy", "local-sell", "utility-buy", "utility-sell", "grid-fee", "deviation-buy", "deviation-sell"];

describe("a statement as energy and money in and out", () => {
  it("import cost minus export compensation is the statement's total, whatever its lines", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom(...KINDS),
            energyWh: fc.integer({ min: 0, max: 100_000 }),
            minor: fc.integer({ min: -100_000, max: 100_000 }),
          }),
          { maxLength: 30 },
        ),
        (lines) => {
          const t = statementTotals({ lines, linesMinor: lines.map((l) => l.minor) });
          const total = lines.reduce((a, l) => a + l.minor, 0);
          expect(t.importCostMinor - t.exportCompensationMinor).toBe(total);
          expect(t.importedWh).toBe(t.boughtLocalWh + t.boughtGridWh);
          expect(t.exportedWh).toBe(t.soldLocalWh + t.soldGridWh);
          const energy = lines.filter((l) => l.kind !== "grid-fee").reduce((a, l) => a + l.energyWh, 0);
          expect(t.importedWh + t.exportedWh).toBe(energy);
        },
      ),
    );
  });

  it("counts the grid fee with the imports, and a sell's negative amount as compensation earned", () => {
    const t = statementTotals({
      lines: [
        { kind: "local-buy", energyWh: 300 },
        { kind: "utility-buy", energyWh: 100 },
        { kind: "grid-fee", energyWh: 300 },
        { kind: "local-sell", energyWh: 200 },
      ],
      linesMinor: [5, 2, 1, -3],
    });
    expect(t).toMatchObject({ importedWh: 400, exportedWh: 200, importCostMinor: 8, exportCompensationMinor: 3 });
  });
});
