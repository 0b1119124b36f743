import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RegisterReading, slotEnergies } from "../src/readings/slot-energy.js";

const SLOT = 15 * 60_000;
const T0 = Date.parse("2026-06-21T00:00:00Z");

/** Increasing registers read at random times (some on slot boundaries, some between, with gaps). */
const arbReadings = fc
  .array(
    fc.record({
      dt: fc.integer({ min: 1, max: 3 * SLOT }),
      onBoundary: fc.boolean(),
      dImp: fc.nat(2000),
      dExp: fc.nat(2000),
    }),
    {
      minLength: 2,
      maxLength: 30,
    },
  )
  .map((steps) => {
    let t = T0;
    let imp = 1_000_000;
    let exp = 500_000;
    const out: RegisterReading[] = [];
    for (const s of steps) {
      t = s.onBoundary ? (Math.floor((t + s.dt) / SLOT) + 1) * SLOT : t + s.dt;
      imp += s.dImp;
      exp += s.dExp;
      out.push({ atMs: t, importWh: imp, exportWh: exp });
    }
    return out;
  });

describe("energy per slot from cumulative registers", () => {
  it("conserves every Wh between the first and last reading, and never goes negative", () => {
    fc.assert(
      fc.property(arbReadings, (rs) => {
        const first = rs[0] as RegisterReading;
        const last = rs.at(-1) as RegisterReading;
        const from = Math.floor(first.atMs / SLOT) * SLOT;
        const to = Math.ceil(last.atMs / SLOT) * SLOT;
        // all slots, also partly covered ones, by looking at a window that the readings cover fully
        const all = slotEnergies([{ ...first, atMs: from }, ...rs.slice(1), { ...last, atMs: to }], from, to, SLOT);
        expect(all.reduce((s, e) => s + e.importWh, 0)).toBe(last.importWh - first.importWh);
        expect(all.reduce((s, e) => s + e.exportWh, 0)).toBe(last.exportWh - first.exportWh);
        for (const e of all) expect(Math.min(e.importWh, e.exportWh)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("counts a duplicate reading once and takes readings in any order", () => {
    fc.assert(
      fc.property(arbReadings, fc.nat(), (rs, pick) => {
        const from = Math.floor((rs[0]?.atMs ?? 0) / SLOT) * SLOT;
        const to = from + 12 * SLOT;
        const base = slotEnergies(rs, from, to, SLOT);
        const dup = rs[pick % rs.length] as RegisterReading;
        expect(slotEnergies([...rs].reverse().concat([dup]), from, to, SLOT)).toEqual(base);
      }),
    );
  });

  it("marks slots measured only when readings bound them, and interpolates across a gap", () => {
    const at = (m: number, imp: number): RegisterReading => ({ atMs: T0 + m * 60_000, importWh: imp, exportWh: 0 });
    // readings at 00:00 and 00:15, then a gap until 01:00 (the meter was offline for 45 minutes)
    const e = slotEnergies([at(0, 100), at(15, 160), at(60, 460)], T0, T0 + 4 * SLOT, SLOT);
    expect(e.map((x) => [x.importWh, x.estimated])).toEqual([
      [60, false],
      [100, true],
      [100, true],
      [100, true],
    ]);
  });

  it("flags a register that goes backwards and counts that interval as zero", () => {
    const at = (m: number, imp: number): RegisterReading => ({ atMs: T0 + m * 60_000, importWh: imp, exportWh: 0 });
    const e = slotEnergies([at(0, 5000), at(15, 5100), at(30, 20), at(45, 80)], T0, T0 + 3 * SLOT, SLOT);
    expect(e.map((x) => [x.importWh, x.registerReset])).toEqual([
      [100, false],
      [0, true],
      [60, false],
    ]);
  });

  it("leaves out slots that readings do not cover yet", () => {
    const at = (m: number, imp: number): RegisterReading => ({ atMs: T0 + m * 60_000, importWh: imp, exportWh: 0 });
    expect(slotEnergies([at(0, 0), at(20, 200)], T0, T0 + 4 * SLOT, SLOT).map((x) => x.slotMs)).toEqual([T0]);
  });
});
