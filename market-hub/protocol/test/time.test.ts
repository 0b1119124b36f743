import {
  isSlotStart,
  LocalClock,
  localDateOf,
  localHourOf,
  minutesOfClock,
  nextLocalTime,
  periodOf,
  slotOf,
  slotStarts,
  slotsInLocalDay,
  UtcInstant,
  zoneOffsetMinutes,
} from "@openlem/protocol";
import { describe, expect, it } from "vitest";

describe("slots", () => {
  it("names a slot by its UTC start and normalises offsets", () => {
    expect(UtcInstant.parse("2026-06-21T12:15:00+02:00")).toBe("2026-06-21T10:15:00.000Z");
    expect(slotOf("2026-06-21T10:29:59.999Z", 15)).toBe("2026-06-21T10:15:00.000Z");
    expect(isSlotStart("2026-06-21T10:15:00.000Z", 15)).toBe(true);
    expect(isSlotStart("2026-06-21T10:20:00.000Z", 15)).toBe(false);
    expect(slotStarts("2026-06-21T10:00:00Z", "2026-06-21T11:00:00Z", 15)).toHaveLength(4);
  });

  it("refuses a time without a zone, saying what to write", () => {
    const r = UtcInstant.safeParse("2026-06-21 10:15");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/ISO 8601/);
  });
});

describe("calendar in the community's time zone", () => {
  const tz = "Europe/Berlin";

  it("counts 96 slots on a normal day and 92 / 100 on daylight-saving days", () => {
    expect(slotsInLocalDay("2026-06-21", tz, 15)).toBe(96);
    expect(slotsInLocalDay("2026-03-29", tz, 15)).toBe(92);
    expect(slotsInLocalDay("2026-10-25", tz, 15)).toBe(100);
    expect(slotsInLocalDay("2026-10-25", "UTC", 15)).toBe(96);
  });

  it("starts a local day at local midnight", () => {
    expect(periodOf("day", "2026-06-21", tz).from).toBe("2026-06-20T22:00:00.000Z");
    expect(periodOf("day", "2026-01-10", tz).from).toBe("2026-01-09T23:00:00.000Z");
    const dst = periodOf("day", "2026-03-29", tz);
    expect(dst.from).toBe("2026-03-28T23:00:00.000Z");
    expect(dst.to).toBe("2026-03-29T22:00:00.000Z");
    expect(periodOf("day", "2026-04-05", "America/New_York").from).toBe("2026-04-05T04:00:00.000Z");
  });

  it("runs weeks Monday to Monday and months from the first", () => {
    const w = periodOf("week", "2026-11-26", tz); // a Thursday
    expect(w.start).toBe("2026-11-23");
    expect(w.from).toBe("2026-11-22T23:00:00.000Z");
    expect(w.to).toBe("2026-11-29T23:00:00.000Z");
    const m = periodOf("month", "2026-10-15", tz);
    expect(m.start).toBe("2026-10-01");
    expect(m.from).toBe("2026-09-30T22:00:00.000Z");
    expect(m.to).toBe("2026-10-31T23:00:00.000Z");
  });

  it("knows the local date of an instant", () => {
    expect(localDateOf("2026-06-20T22:30:00.000Z", tz)).toBe("2026-06-21");
    expect(localDateOf("2026-06-20T21:59:59.000Z", tz)).toBe("2026-06-20");
    expect(localHourOf("2026-06-21T05:30:00.000Z", tz)).toBe(7.5);
    expect(localHourOf("2026-01-10T05:30:00.000Z", tz)).toBe(6.5);
    expect(zoneOffsetMinutes(Date.parse("2026-07-01T00:00:00Z"), tz)).toBe(120);
    expect(zoneOffsetMinutes(Date.parse("2026-12-01T00:00:00Z"), "Asia/Kolkata")).toBe(330);
  });
});

describe("the next local time of day", () => {
  it("is later today when still ahead, else tomorrow, in the zone's wall clock across a DST change", () => {
    // 2026-03-29: Europe/Berlin moves from UTC+1 to UTC+2 at 02:00
    const evening = Date.parse("2026-03-28T19:00:00Z"); // 20:00 in Berlin
    expect(new Date(nextLocalTime("07:00", evening, "Europe/Berlin")).toISOString()).toBe("2026-03-29T05:00:00.000Z");
    expect(new Date(nextLocalTime("21:30", evening, "Europe/Berlin")).toISOString()).toBe("2026-03-28T20:30:00.000Z");
    expect(minutesOfClock("07:45")).toBe(465);
    expect(LocalClock.safeParse("24:00").success).toBe(false);
  });
});
