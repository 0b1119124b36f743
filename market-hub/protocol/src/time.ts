import { z } from "zod";
import { MINUTE_MS, slotMs, slotStartMs } from "./durations.js";
import { beyondSchema } from "./rules.js";
import { isoOf, localDateOf, localMidnightMs, localWallTimeMs, ms, shiftDate } from "./zone.js";

/**
 * Time on the wire is an ISO 8601 instant. Offsets are accepted and normalised to UTC
 * ("2026-06-21T10:15:00.000Z") so that a slot has exactly one name.
 */
/**
 * The years the hub reckons with. A date outside them is a typo or an attack (a reading dated
 * 1700 once made the hub count 300 years of slots), and a period must end on a valid ISO date.
 */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2199;
/** The year as written: a pattern, so that the OpenAPI document carries the rule too. */
const YEAR = /^2[01]\d\d-/;
const yearRule = { message: `must lie in the years ${FIRST_YEAR} to ${LAST_YEAR}` };

export const UtcInstant = z.codec(
  z.iso
    .datetime({
      offset: true,
      message: "must be an ISO 8601 date-time with Z or an offset, e.g. 2026-06-21T10:15:00Z",
    })
    .regex(YEAR, yearRule),
  z.iso.datetime(),
  // A codec, not a one-way transform, so that servers can also encode responses with it.
  { decode: (s) => new Date(s).toISOString(), encode: (s) => s },
);
export type UtcInstant = z.output<typeof UtcInstant>;

/** A calendar date in the community's time zone: YYYY-MM-DD. */
export const LocalDate = z.iso.date({ message: "must be a calendar date YYYY-MM-DD" }).regex(YEAR, yearRule);
export type LocalDate = z.infer<typeof LocalDate>;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The shape of an IANA time zone name ("UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT-1"). */
const TIME_ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]{0,40}(\/[A-Za-z0-9_+-]{1,40}){0,3}$/;
const TIME_ZONE_RULE = "must be an IANA time zone such as Europe/Berlin";

/** Its shape is in the OpenAPI document (400); that it exists depends on the hub's time-zone database (422). */
export const TimeZone = z
  .string()
  .regex(TIME_ZONE_SHAPE, { message: TIME_ZONE_RULE })
  .refine(isValidTimeZone, { message: TIME_ZONE_RULE, ...beyondSchema("time-zone-known") });

/** Milliseconds since the epoch of an instant string. */
/** True when the instant starts a slot of `slotMinutes` (slots are aligned to the UTC epoch). */
export function isSlotStart(instant: string, slotMinutes: number): boolean {
  return ms(instant) % slotMs(slotMinutes) === 0;
}

/** The start of the slot containing `instant`. */
export function slotOf(instant: string, slotMinutes: number): string {
  return isoOf(slotStartMs(ms(instant), slotMinutes));
}

export function addMinutes(instant: string, minutes: number): string {
  return isoOf(ms(instant) + minutes * MINUTE_MS);
}

/** Slot starts in [fromInclusive, toExclusive). Both bounds must be slot starts. */
export function slotStarts(fromInclusive: string, toExclusive: string, slotMinutes: number): string[] {
  const out: string[] = [];
  const len = slotMs(slotMinutes);
  for (let t = ms(fromInclusive); t < ms(toExclusive); t += len) out.push(isoOf(t));
  return out;
}

export {
  isoOf,
  localDateOf,
  localHourOf,
  localMidnightMs,
  localWallTimeMs,
  ms,
  shiftDate,
  zoneOffsetMinutes,
} from "./zone.js";

/** A wall-clock time of day, "HH:MM" (an EV's departure, a hot-water habit). */
export const LocalClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "must be a local time HH:MM" });

/** Minutes after midnight of a LocalClock. */
export function minutesOfClock(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

/** The next instant after `afterMs` at which the wall clock in `timeZone` shows `clock`. */
export function nextLocalTime(clock: string, afterMs: number, timeZone: string): number {
  const today = localDateOf(isoOf(afterMs), timeZone);
  const at = (date: string) => localWallTimeMs(date, minutesOfClock(clock), timeZone);
  const t = at(today);
  return t > afterMs ? t : at(shiftDate(today, 1));
}

export const PeriodKind = z.enum(["day", "week", "month"]);
export type PeriodKind = z.infer<typeof PeriodKind>;

export interface Period {
  kind: PeriodKind;
  /** First local date of the period. */
  start: LocalDate;
  /** UTC instant of the first local midnight, inclusive. */
  from: string;
  /** UTC instant of the local midnight after the period, exclusive. */
  to: string;
}

/**
 * The day, ISO week (Monday first) or month containing local date `date`, with its bounds
 * as UTC instants. Days around daylight-saving changes last 23 or 25 hours.
 */
export function periodOf(kind: PeriodKind, date: string, timeZone: string): Period {
  let start = date;
  let next: string;
  if (kind === "day") {
    next = shiftDate(date, 1);
  } else if (kind === "week") {
    const [y, m, d] = date.split("-").map(Number);
    const weekday = (new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)).getUTCDay() + 6) % 7;
    start = shiftDate(date, -weekday);
    next = shiftDate(start, 7);
  } else {
    start = `${date.slice(0, 7)}-01`;
    const [y, m] = start.split("-").map(Number);
    next = isoOf(Date.UTC(y ?? 1970, m ?? 1, 1)).slice(0, 10);
  }
  return {
    kind,
    start,
    from: isoOf(localMidnightMs(start, timeZone)),
    to: isoOf(localMidnightMs(next, timeZone)),
  };
}

/** Number of delivery slots in a local day: 96 for 15-minute slots, 92 or 100 on DST change days. */
export function slotsInLocalDay(date: string, timeZone: string, slotMinutes: number): number {
  const p = periodOf("day", date, timeZone);
  return (ms(p.to) - ms(p.from)) / slotMs(slotMinutes);
}
