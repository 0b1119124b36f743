import { CommunityId, MarketConfig, priceSignalAt, type SlotResult } from "@openlem/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { priceMessage } from "../src/nodes/price/runtime.js";
import { PowerSaverSchedule, scheduleEndMs, scheduleOrders } from "../src/nodes/schedule/orders.js";

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
  it("hands strategy nodes and ps-receive-price a price list they accept, from now to the end of tomorrow without holes", () => {
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
          const msg = priceMessage(priceSignalAt(CommunityId.parse("c"), MARKET, "electricity", now, results), CAL);
          const payload = msg.payload as {
            priceData: { start: string; end: string; value: number; kind: string }[];
            today: unknown;
            tomorrow: unknown;
          };
          PowerSaverStrategyInput.parse(payload);
          PowerSaverReceivePriceInput.parse(payload);
          const d = payload.priceData;
          // the slot under way first, the end of tomorrow (local) last, and no hole between
          expect(Date.parse(d[0]?.start ?? "")).toBe(slotNow);
          for (let i = 1; i < d.length; i++) expect(d[i]?.start).toBe(d[i - 1]?.end);
          const localMidnight = new Date(Date.parse(d.at(-1)?.end ?? "")).toLocaleTimeString("en-GB", {
            timeZone: "Europe/Amsterdam",
          });
          expect(localMidnight).toBe("00:00:00");
          // power-saver's minute expansion runs through, one minute per minute
          expect(minutesOf(d)).toHaveLength((Date.parse(d.at(-1)?.end ?? "") - slotNow) / 60_000);
          // cleared slots say so
          for (const e of d)
            if (results.some((r) => Date.parse(r.slot) === Date.parse(e.start))) expect(e.kind).toBe("cleared");
        },
      ),
    );
  });

  it("pins what power-saver refuses, so the contract can fail", () => {
    const noEnd = { priceData: [{ start: "2026-06-21T09:00:00.000Z", value: 0.1 }] };
    expect(PowerSaverStrategyInput.safeParse(noEnd).success).toBe(false);
    expect(() => minutesOf(noEnd.priceData)).toThrow(/reading 'start'/);
    expect(PowerSaverReceivePriceInput.safeParse({ priceData: [] }).success).toBe(false);
    expect(PowerSaverStrategyInput.safeParse({ priceData: [] }).success).toBe(false);
  });

  it("takes power-saver's schedule output and bids for exactly the energy the plan has the device use", () => {
    // power-saver's third output (src/handle-output.js): { schedule: [{ time, value, countMinutes }],
    // minutes (5.x) or hours (4.x), source, config, time, version, strategyNodeId, current }
    const t0 = Date.parse("2026-06-21T00:00:00Z");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 24 * 60 - 1 }), fc.boolean()), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 100, max: 11_000 }),
        fc.integer({ min: 0, max: 12 * 60 }),
        (switches, powerW, fromMinute) => {
          const times = [...new Set(switches.map(([m]) => m))].sort((a, b) => a - b);
          const schedule = times.map((m, i) => ({
            time: new Date(t0 + m * 60_000).toISOString(),
            value: switches.find(([x]) => x === m)?.[1] ?? i % 2 === 0,
            countMinutes: null,
          }));
          const payload = {
            schedule,
            minutes: [{ start: new Date(t0 + (24 * 60 - 1) * 60_000).toISOString(), price: 0.2, onOff: false }],
            source: "Other",
            config: {},
            time: new Date(t0).toISOString(),
            version: "5.2.2",
            strategyNodeId: "n1",
            current: false,
          };
          const plan = PowerSaverSchedule.parse(payload);
          const fromMs = t0 + fromMinute * 60_000;
          const orders = scheduleOrders(plan, { powerW, limitPrice: 0.2, slotMinutes: 15, fromMs, idPrefix: "t" });
          // the plan's on-time from the first bid-able slot to its end, minute by minute
          const firstSlot = Math.ceil(fromMs / 900_000) * 900_000;
          let onMinutes = 0;
          for (let m = firstSlot; m < scheduleEndMs(plan); m += 60_000) {
            const last = schedule.filter((e) => Date.parse(e.time) <= m).at(-1);
            if (last?.value) onMinutes++;
          }
          const total = orders.reduce((s, o) => s + o.energyWh, 0);
          // each slot rounds to the Wh: at most half a Wh per slot away from power × time
          expect(Math.abs(total - (powerW * onMinutes) / 60)).toBeLessThanOrEqual(orders.length * 0.5 + 1e-9);
          for (const o of orders) {
            expect(Date.parse(o.slot) % 900_000).toBe(0);
            expect(Date.parse(o.slot)).toBeGreaterThanOrEqual(fromMs);
            expect(o.energyWh).toBeGreaterThan(0);
          }
        },
      ),
    );
    expect(PowerSaverSchedule.safeParse({ schedule: [] }).success).toBe(false);
    expect(PowerSaverSchedule.safeParse({ priceData: [] }).success).toBe(false);
  });
});
