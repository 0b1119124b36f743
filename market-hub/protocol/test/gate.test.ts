import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CommunityId,
  gateClosesAt,
  isGateClosed,
  lastClearableSlotMs,
  lastClosedSlotMs,
  MarketConfig,
  marketClock,
  nextOpenSlotMs,
} from "../src/index.js";

const tariffs = { timeZone: "UTC", retailPrice: 0.22, feedInTariff: 0.09, priceFloor: 0, priceCap: 0.5 };
const market = MarketConfig.parse({ ...tariffs, slotMinutes: 15, gateClosureMinutes: 5 });

describe("gate closure", () => {
  it("closes gateClosureMinutes before the slot, at that instant itself", () => {
    expect(gateClosesAt("2026-06-21T10:00:00.000Z", market)).toBe("2026-06-21T09:55:00.000Z");
    expect(isGateClosed("2026-06-21T10:00:00.000Z", market, Date.parse("2026-06-21T09:54:59.999Z"))).toBe(false);
    expect(isGateClosed("2026-06-21T10:00:00.000Z", market, Date.parse("2026-06-21T09:55:00.000Z"))).toBe(true);
  });

  it("the next open slot is open, the slot before it closed, and the market clock says the same", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2030-01-01") }),
        fc.constantFrom(5, 15, 30, 60),
        fc.integer({ min: 0, max: 120 }),
        (now, slotMinutes, gateClosureMinutes) => {
          const m = { slotMinutes, gateClosureMinutes };
          const next = nextOpenSlotMs(m, now);
          const iso = (t: number) => new Date(t).toISOString();
          expect(isGateClosed(iso(next), m, now)).toBe(false);
          expect(isGateClosed(iso(next - slotMinutes * 60_000), m, now)).toBe(true);
          expect(lastClosedSlotMs(m, now)).toBe(next - slotMinutes * 60_000);
          const clock = marketClock(
            CommunityId.parse("c"),
            MarketConfig.parse({ ...tariffs, slotMinutes, gateClosureMinutes }),
            new Date(now),
          );
          expect(clock.nextOpenSlot).toBe(iso(next));
          expect(clock.gateClosesAt).toBe(gateClosesAt(iso(next), m));
        },
      ),
    );
  });

  it("the latest clearable slot: ex ante the last closed gate, ex post the last slot that ended the delay ago", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2030-01-01") }),
        fc.constantFrom(5, 15, 30, 60),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 1440 }),
        (now, slotMinutes, gateClosureMinutes, expostDelayMinutes) => {
          const len = slotMinutes * 60_000;
          const exAnte = { slotMinutes, gateClosureMinutes, mode: "ex-ante" as const, expostDelayMinutes };
          expect(lastClearableSlotMs(exAnte, now)).toBe(lastClosedSlotMs(exAnte, now));
          const s = lastClearableSlotMs({ ...exAnte, mode: "ex-post" }, now);
          // its readings are due (ended the delay ago), the next slot's are not
          expect(s % len).toBe(0);
          expect(s + len + expostDelayMinutes * 60_000).toBeLessThanOrEqual(now);
          expect(s + 2 * len + expostDelayMinutes * 60_000).toBeGreaterThan(now);
          const clock = marketClock(
            CommunityId.parse("c"),
            MarketConfig.parse({ ...tariffs, slotMinutes, gateClosureMinutes, mode: "ex-post", expostDelayMinutes }),
            new Date(now),
          );
          expect(clock.lastClearableSlot).toBe(new Date(s).toISOString());
        },
      ),
    );
  });
});
