import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HouseholdHistory, HouseholdLoop, HouseholdSpec, type SlotDecision } from "../src/index.js";

const SLOT = 15 * 60_000;
const DAY = 96 * SLOT;
const T0 = Date.parse("2026-05-04T00:00:00Z");

/** A day of a house: 200 Wh a slot, PV from 06:00 to 18:00 peaking at noon (peak Wh given). */
function day(history: HouseholdHistory, d: number, peakPvWh: number, load = 200, upToSlot = 96): void {
  for (let q = 0; q < upToSlot; q++) {
    const pv = q >= 24 && q < 72 ? Math.round(peakPvWh * Math.sin((Math.PI * (q - 24)) / 48)) : 0;
    history.record(T0 + d * DAY + q * SLOT, load + (q % 4) * 10, pv);
  }
}

describe("household history forecast", () => {
  it("forecasts each slot from the same slot on the recent days, and only those", () => {
    const h = new HouseholdHistory({ minutes: 15, days: 3 });
    day(h, 0, 9999, 900); // four days back: outside the three looked at
    day(h, 1, 400, 100);
    day(h, 2, 400, 200);
    day(h, 3, 400, 300);
    const f = h.forecast(T0 + 4 * DAY, 96, T0 + 4 * DAY, T0 + 4 * DAY);
    expect(f.loadWh[0]).toBe(200); // (100 + 200 + 300) / 3
    expect(f.loadWh[3]).toBe(230);
    expect(f.pvWh[48]).toBe(400);
    expect(f.netLoadWh[48]).toBe(200 - 400);
  });

  it("scales the rest of today's PV by how today's production so far compares with the recent days'", () => {
    const h = new HouseholdHistory({ minutes: 15 });
    for (let d = 0; d < 3; d++) day(h, d, 800);
    day(h, 3, 400, 200, 40); // a dull morning up to 10:00: half the usual
    const now = T0 + 3 * DAY + 40 * SLOT;
    const f = h.forecast(now, 120, now, T0 + 3 * DAY);
    expect(f.pvWh[8]).toBe(Math.round(800 * Math.sin((Math.PI * 24) / 48) * 0.5)); // 12:00 today
    // tomorrow is not today: the usual production
    expect(f.pvWh[56 + 48]).toBe(Math.round(800 * Math.sin((Math.PI * 24) / 48)));
  });

  it("holds the last slot before there is history, and forecasts nothing with none", () => {
    const h = new HouseholdHistory({ minutes: 15 });
    expect(h.forecast(T0, 4).netLoadWh).toEqual([0, 0, 0, 0]);
    h.record(T0, 250, 50);
    expect(h.forecast(T0 + SLOT, 3).netLoadWh).toEqual([200, 200, 200]);
  });

  it("never uses what was recorded at or after the time it forecasts from, and survives a restart", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 96 * 3, maxLength: 96 * 3 }),
        fc.integer({ min: 96, max: 96 * 3 - 1 }),
        (loads, nowSlot) => {
          const all = new HouseholdHistory({ minutes: 15 });
          const past = new HouseholdHistory({ minutes: 15 });
          loads.forEach((l, q) => {
            all.record(T0 + q * SLOT, l, 0);
            if (q < nowSlot) past.record(T0 + q * SLOT, l, 0);
          });
          const now = T0 + nowSlot * SLOT;
          const restored = new HouseholdHistory({ minutes: 15 }, JSON.parse(JSON.stringify(past.memory)));
          expect(all.forecast(now, 96, now)).toEqual(past.forecast(now, 96, now));
          expect(restored.forecast(now, 96, now)).toEqual(past.forecast(now, 96, now));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("the household loop's forecast from its meter", () => {
  it("learns the house's load and PV from the meter and the production register, less what its own battery did", async () => {
    const spec = HouseholdSpec.parse({
      battery: { capacityWh: 10_000, maxChargeW: 3_000, maxDischargeW: 3_000 },
      batteryLevels: 21,
    });
    let now = T0;
    // the house: 300 Wh a slot of load, 500 Wh of PV from 10:00 to 14:00; the battery as decided
    let importWh = 0;
    let exportWh = 0;
    let productionWh = 0;
    let socWh = 5_000;
    const house = {
      read: async () => ({ socWh }),
      forecast: async (_from: number, slots: number) => ({ drawWh: new Array<number>(slots).fill(0) }),
      apply: async (d: SlotDecision) => {
        decisions.set(d.startMs, d);
      },
      meter: async () => ({ meterId: "m", importWh, exportWh }),
      production: async () => productionWh,
    };
    const decisions = new Map<number, SlotDecision>();
    const loop = new HouseholdLoop({ spec, hub: null, devices: house, now: () => now });
    for (let q = 0; q < 96 * 2 + 1; q++) {
      now = T0 + q * SLOT;
      await loop.tick();
      const d = decisions.get(now);
      const hour = (q % 96) / 4;
      const pv = hour >= 10 && hour < 14 ? 500 : 0;
      const batteryWh = Math.round(((d?.batteryW ?? 0) * 15) / 60);
      socWh -= batteryWh;
      const net = 300 - pv - batteryWh;
      importWh += Math.max(0, net);
      exportWh += Math.max(0, -net);
      productionWh += pv;
    }
    const stored = loop.memory?.history;
    expect(stored?.startMs.length).toBeGreaterThanOrEqual(96);
    const at = (ms: number) => stored?.startMs.indexOf(ms) ?? -1;
    const noon = at(T0 + DAY + 48 * SLOT);
    const night = at(T0 + DAY + 8 * SLOT);
    expect(stored?.loadWh[noon]).toBe(300);
    expect(stored?.pvWh[noon]).toBe(500);
    expect(stored?.loadWh[night]).toBe(300);
    expect(stored?.pvWh[night]).toBe(0);
  });
});
