import { createRequire } from "node:module";
import { join } from "node:path";
import { CommunityId, MarketConfig, priceSignalAt, type SlotResult } from "@openlem/protocol";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { installPowerSaver } from "../../test-support/power-saver.js";
import { describeWithRealService } from "../../test-support/real-services.js";
import { clockProblem, earlierSlotsOfToday, priceMessage } from "../src/nodes/price/runtime.js";
import { PowerSaverSchedule, scheduleEndMs, scheduleOrders } from "../src/nodes/schedule/orders.js";

const BIDS = { limitPrice: 0.2, slotMinutes: 15, timeZone: "Europe/Amsterdam", idPrefix: "t" };

/**
 * The shapes node-red-contrib-power-saver (5.2.x) takes, pinned here because the package is not
 * in the npm registry this project's CI reaches. Restated from its documentation
 * (docs/nodes/strategy-input.md: "a payload with a priceData array … each object has a value …
 * and a start") and its source:
 * - strategy nodes (`ps-strategy-best-save`, `ps-strategy-lowest-price`, …), src/handle-input.js
 *   `validateInput`: `payload.priceData` is a non-empty array whose entries have a truthy
 *   `start` and a `value` that is not NaN; `makePlanFromPriceData` takes each entry's end as
 *   `d.end ?? next.start`, so the last entry must carry `end` (without it: "Cannot read
 *   properties of undefined (reading 'start')", as seen with OpenLEM before);
 * - `ps-receive-price`, src/receive-price-functions.js `convertMsg` ("Other" source) and
 *   `validateInput`: `payload.today` and `payload.tomorrow` are arrays (missing means empty) of
 *   entries whose `start` and `value` are defined, and not both empty ("Payload has no data").
 * If power-saver changes these, this file is what to update, and the price node with it.
 */
const Iso = z.string().refine((s) => Number.isFinite(Date.parse(s)), "must be an ISO date-time");
const Entry = z.object({ start: Iso, value: z.number().refine((v) => !Number.isNaN(v)), end: Iso.optional() });
export const PowerSaverStrategyInput = z.object({
  priceData: z
    .array(Entry)
    .min(1, "priceData is empty")
    .refine((d) => d.at(-1)?.end !== undefined, "the last entry needs an end (power-saver reads d.end ?? next.start)"),
});
export const PowerSaverReceivePriceInput = z
  .object({ today: z.array(Entry).default([]), tomorrow: z.array(Entry).default([]) })
  .refine((p) => p.today.length + p.tomorrow.length > 0, "Payload has no data");

/** power-saver's own expansion of the price list into minutes, as in makePlanFromPriceData. */
function minutesOf(priceData: { start: string; end?: string; value: number }[]): { start: number; value: number }[] {
  return priceData.flatMap((d, i) => {
    const end = d.end ?? priceData[i + 1]?.start;
    if (end === undefined) throw new TypeError("Cannot read properties of undefined (reading 'start')");
    const out: { start: number; value: number }[] = [];
    for (let m = Date.parse(d.start); m < Date.parse(end); m += 60_000) out.push({ start: m, value: d.value });
    return out;
  });
}

const MARKET = MarketConfig.parse({
  timeZone: "Europe/Amsterdam",
  retailPrice: 0.22,
  feedInTariff: 0.09,
  priceFloor: 0,
  priceCap: 0.5,
});
const CAL = { slotMinutes: 15, timeZone: "Europe/Amsterdam" };

describe("openlem-price → node-red-contrib-power-saver (contract)", () => {
  it("hands strategy nodes and ps-receive-price a price list they accept: whole community days, today and tomorrow, without holes", () => {
    const start = Date.parse("2026-03-28T00:00:00Z"); // across the switch to summer time
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * 24 * 60 - 1 }),
        fc.array(fc.tuple(fc.integer({ min: -96 * 3, max: 96 * 3 }), fc.integer({ min: 0, max: 50 })), {
          maxLength: 40,
        }),
        (minute, cleared) => {
          const now = start + minute * 60_000;
          const slotNow = Math.floor(now / 900_000) * 900_000;
          const results = cleared.map(
            ([k, ct]) =>
              ({
                slot: new Date(slotNow + k * 900_000).toISOString(),
                commodity: "electricity",
                markets: [{ price: ct / 100, averagePrice: ct / 100 }],
                retailPrice: 0.22,
              }) as unknown as SlotResult,
          );
          const signal = priceSignalAt(CommunityId.parse("c"), MARKET, "electricity", now, results);
          const msg = priceMessage(signal, CAL, earlierSlotsOfToday(signal, MARKET, results));
          const payload = msg.payload as {
            priceData: { start: string; end: string; value: number; kind: string }[];
            today: unknown;
            tomorrow: unknown;
          };
          PowerSaverStrategyInput.parse(payload);
          PowerSaverReceivePriceInput.parse(payload);
          const d = payload.priceData;
          // whole community days: today's local midnight first (so day-based strategies such as
          // Lowest Price 00:00-00:00 find today), the end of tomorrow last, and no hole between
          const localTime = (t: string | undefined) =>
            new Date(Date.parse(t ?? "")).toLocaleTimeString("en-GB", { timeZone: "Europe/Amsterdam" });
          expect(localTime(d[0]?.start)).toBe("00:00:00");
          expect(Date.parse(d[0]?.start ?? "")).toBeLessThanOrEqual(slotNow);
          expect(Date.parse(d[0]?.start ?? "")).toBeGreaterThan(slotNow - 86_400_000);
          for (let i = 1; i < d.length; i++) expect(d[i]?.start).toBe(d[i - 1]?.end);
          expect(localTime(d.at(-1)?.end)).toBe("00:00:00");
          // power-saver's minute expansion runs through, one minute per minute
          expect(minutesOf(d)).toHaveLength((Date.parse(d.at(-1)?.end ?? "") - Date.parse(d[0]?.start ?? "")) / 60_000);
          // cleared slots say so
          for (const e of d)
            if (results.some((r) => Date.parse(r.slot) === Date.parse(e.start))) expect(e.kind).toBe("cleared");
        },
      ),
    );
  });

  it("says when Node-RED's clock keeps another zone than the community's, which power-saver plans by", () => {
    const signal = priceSignalAt(CommunityId.parse("c"), MARKET, "electricity", Date.parse("2026-06-21T10:00:00Z"), []);
    const was = process.env.TZ;
    try {
      process.env.TZ = "UTC";
      expect(clockProblem(signal, "Europe/Amsterdam", "UTC")).toMatch(/start Node-RED with TZ=Europe\/Amsterdam/);
      process.env.TZ = "Europe/Amsterdam";
      expect(clockProblem(signal, "Europe/Amsterdam", "Europe/Amsterdam")).toBeNull();
    } finally {
      process.env.TZ = was;
    }
  });

  it("pins what power-saver refuses, so the contract can fail", () => {
    const noEnd = { priceData: [{ start: "2026-06-21T09:00:00.000Z", value: 0.1 }] };
    expect(PowerSaverStrategyInput.safeParse(noEnd).success).toBe(false);
    expect(() => minutesOf(noEnd.priceData)).toThrow(/reading 'start'/);
    expect(PowerSaverReceivePriceInput.safeParse({ priceData: [] }).success).toBe(false);
    expect(PowerSaverStrategyInput.safeParse({ priceData: [] }).success).toBe(false);
  });

  it("refuses what is not a power-saver schedule", () => {
    expect(PowerSaverSchedule.safeParse({ schedule: [] }).success).toBe(false);
    expect(PowerSaverSchedule.safeParse({ priceData: [] }).success).toBe(false);
  });
});

/**
 * power-saver's own code makes the schedule output here (its makeSchedule,
 * addLastSwitchIfNoSchedule and collapseMinutes, loaded from the real package), for plans
 * fast-check draws: what a strategy node sends for them, minute by minute, without a Node-RED.
 */
describeWithRealService("powerSaver", "openlem-schedule ← power-saver's own schedule output", (tarball) => {
  interface PowerSaverCode {
    makeSchedule(onOff: boolean[], startTimes: string[], endTime: string): { time: string; value: boolean }[];
    addLastSwitchIfNoSchedule(
      schedule: unknown[],
      minutes: { start: string }[],
      config: { outputIfNoSchedule: boolean },
    ): void;
    collapseMinutes(minutes: unknown[]): unknown[];
  }
  let ps: PowerSaverCode;
  beforeAll(() => {
    const dir = join(installPowerSaver(tarball), "src");
    const load = createRequire(import.meta.url);
    ps = {
      makeSchedule: load(join(dir, "utils.js")).makeSchedule,
      addLastSwitchIfNoSchedule: load(join(dir, "handle-input.js")).addLastSwitchIfNoSchedule,
      collapseMinutes: load(join(dir, "handle-output.js")).collapseMinutes,
    };
  });

  const t0 = Date.parse("2026-06-20T22:00:00Z"); // local midnight in Amsterdam
  const DAY = 24 * 60;
  /** Two days of minutes in runs of on/off and price, as a strategy plans them. */
  const plans = fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.integer({ min: 5, max: 40 })), {
    minLength: 1,
    maxLength: 30,
  });
  function output(runs: [number, boolean, number][], outputIfNoSchedule: boolean) {
    const onOff: boolean[] = [];
    const prices: number[] = [];
    for (let i = 0; onOff.length < 2 * DAY; i++) {
      const [len, on, ct] = runs[i % runs.length] as [number, boolean, number];
      for (let k = 0; k < len && onOff.length < 2 * DAY; k++) {
        onOff.push(on);
        prices.push(ct / 100);
      }
    }
    const startTimes = onOff.map((_, m) => new Date(t0 + m * 60_000).toISOString());
    const minutes = startTimes.map((start, m) => ({ start, price: prices[m], onOff: onOff[m], saving: null }));
    const schedule = ps.makeSchedule(onOff, startTimes, new Date(t0 + 2 * DAY * 60_000).toISOString());
    ps.addLastSwitchIfNoSchedule(schedule, minutes, { outputIfNoSchedule });
    const payload = { schedule, minutes: ps.collapseMinutes(minutes), source: "OpenLEM", config: {}, version: "5.2.2" };
    return { plan: PowerSaverSchedule.parse(payload), onOff, prices };
  }

  it("without a daily energy: the device's power for every minute the plan has it on", () => {
    fc.assert(
      fc.property(
        plans,
        fc.integer({ min: 100, max: 11_000 }),
        fc.integer({ min: 0, max: DAY - 1 }),
        fc.boolean(),
        (runs, powerW, fromMinute, ifNone) => {
          const { plan, onOff } = output(runs, ifNone);
          const fromMs = t0 + fromMinute * 60_000;
          const orders = scheduleOrders(plan, { ...BIDS, powerW, fromMs });
          const first = Math.ceil(fromMs / 900_000) * 900_000;
          const on = onOff.filter((v, m) => v && t0 + m * 60_000 >= first).length;
          const total = orders.reduce((a, o) => a + o.energyWh, 0);
          expect(scheduleEndMs(plan)).toBe(t0 + 2 * DAY * 60_000);
          expect(Math.abs(total - (powerW * on) / 60)).toBeLessThanOrEqual(orders.length * 0.5 + 1e-9);
          for (const o of orders) expect(Date.parse(o.slot)).toBeGreaterThanOrEqual(fromMs);
        },
      ),
    );
  });

  it("with a daily energy: that much a day (pro rata for the day begun), in the cheapest slots the plan allows", () => {
    fc.assert(
      fc.property(
        plans,
        fc.integer({ min: 500, max: 20_000 }),
        fc.integer({ min: 0, max: DAY - 1 }),
        (runs, dailyWh, fromMinute) => {
          const powerW = 2_000;
          const { plan, onOff, prices } = output(runs, true);
          const fromMs = t0 + fromMinute * 60_000;
          const first = Math.ceil(fromMs / 900_000) * 900_000;
          const orders = scheduleOrders(plan, { ...BIDS, powerW, dailyWh, fromMs });
          const bid = new Map(orders.map((o) => [Date.parse(o.slot), o.energyWh]));
          for (const day of [0, 1]) {
            const start = t0 + day * DAY * 60_000;
            const end = start + DAY * 60_000;
            // each slot of the day the plan allows, with what it could take and its price
            const slots: { t: number; cap: number; price: number }[] = [];
            for (let t = Math.max(start, first); t < end; t += 900_000) {
              const mins = [...Array(15).keys()].map((k) => (t - t0) / 60_000 + k).filter((m) => onOff[m]);
              if (mins.length === 0) continue;
              const price = mins.reduce((a, m) => a + (prices[m] ?? 0), 0) / mins.length;
              slots.push({ t, cap: (powerW * mins.length) / 60, price });
            }
            const need = (dailyWh * (end - Math.max(start, first))) / (DAY * 60_000);
            const capacity = slots.reduce((a, x) => a + x.cap, 0);
            const total = slots.reduce((a, x) => a + (bid.get(x.t) ?? 0), 0);
            expect(Math.abs(total - Math.min(need, capacity))).toBeLessThanOrEqual(slots.length * 0.5 + 1e-6);
            // a slot left without its full share is never cheaper than one that got energy
            for (const x of slots)
              for (const y of slots)
                if ((bid.get(y.t) ?? 0) > 0 && (bid.get(x.t) ?? 0) < x.cap - 0.5)
                  expect(y.price).toBeLessThanOrEqual(x.price + 1e-9);
          }
        },
      ),
    );
  });
});
