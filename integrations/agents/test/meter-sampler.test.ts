import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MeterSampler, type SamplerMemory } from "../src/index.js";

const SLOT_MS = 15 * 60_000;
const T0 = Date.parse("2026-06-01T00:00:00Z");
const options = { slotMs: SLOT_MS, maxPowerW: 50_000, interpolateWithinMs: 60_000 };

/** Reads at random gaps (1 s to 20 min) of a meter drawing up to 20 kW, with restarts in between. */
const runs = fc.array(
  fc.record({
    gapS: fc.integer({ min: 1, max: 1_200 }),
    importW: fc.integer({ min: 0, max: 20_000 }),
    exportW: fc.integer({ min: 0, max: 20_000 }),
    restart: fc.boolean(),
  }),
  { minLength: 2, maxLength: 120 },
);

describe("meter sampler", () => {
  it("sends each time once, in order, boundaries between their reads, and only times a read or a boundary gave", () => {
    fc.assert(
      fc.property(runs, fc.integer({ min: 0, max: SLOT_MS }), (steps, offset) => {
        let at = T0 + offset;
        let importWh = 1_000_000;
        let exportWh = 5_000;
        let memory: SamplerMemory | undefined;
        let sampler = new MeterSampler(options);
        const reads: { atMs: number; importWh: number; exportWh: number }[] = [];
        const sent: { atMs: number; importWh: number; exportWh: number }[] = [];
        for (const s of steps) {
          if (s.restart) {
            memory = structuredClone(sampler.memory);
            sampler = new MeterSampler(options, memory);
          }
          at += s.gapS * 1000;
          importWh += Math.floor((s.importW * s.gapS) / 3600);
          exportWh += Math.floor((s.exportW * s.gapS) / 3600);
          const read = { atMs: at, meterId: "m", importWh, exportWh };
          reads.push(read);
          const out = sampler.sample(read);
          expect(out.kind).toBe("ok");
          for (const r of out.readings)
            sent.push({ atMs: Date.parse(r.at), importWh: r.importWh, exportWh: r.exportWh });
        }
        for (let i = 1; i < sent.length; i++) expect(sent[i]?.atMs).toBeGreaterThan(sent[i - 1]?.atMs as number);
        for (const r of sent) {
          const exact = reads.find((x) => x.atMs === r.atMs);
          if (exact) {
            expect(r).toEqual({ atMs: exact.atMs, importWh: exact.importWh, exportWh: exact.exportWh });
            continue;
          }
          // not a read: a slot boundary, interpolated between the reads just around it
          expect(r.atMs % SLOT_MS).toBe(0);
          const before = reads.findLast((x) => x.atMs < r.atMs);
          const after = reads.find((x) => x.atMs > r.atMs);
          expect(before && after && after.atMs - before.atMs).toBeLessThanOrEqual(60_000);
          expect(r.importWh).toBeGreaterThanOrEqual(before?.importWh ?? 0);
          expect(r.importWh).toBeLessThanOrEqual(after?.importWh ?? 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("holds back a register that rises faster than the meter allows, and sends one that went backwards", () => {
    const s = new MeterSampler(options);
    s.sample({ atMs: T0, meterId: "m", importWh: 1_000, exportWh: 0 });
    const jump = s.sample({ atMs: T0 + 10_000, meterId: "m", importWh: 1_000_000, exportWh: 0 });
    expect(jump).toMatchObject({ kind: "implausible", register: "import", readings: [] });
    const back = s.sample({ atMs: T0 + SLOT_MS + 5_000, meterId: "m", importWh: 10, exportWh: 0 });
    expect(back).toMatchObject({ kind: "backwards", register: "import", fromWh: 1_000, toWh: 10 });
    // the read itself goes (the one at 00:00 went already), so the hub sees the reset and
    // counts that interval as zero
    expect(back.readings.map((r) => [r.at, r.importWh])).toEqual([["2026-06-01T00:15:05.000Z", 10]]);
  });
});
