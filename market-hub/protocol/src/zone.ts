import { MINUTE_MS } from "./durations.js";

/*
 * Wall-clock arithmetic in a time zone (IANA names, through Intl): a community's days and
 * hours. Kept free of zod so that the cards draw in the community's calendar with the same
 * rules as the hub.
 */

/** Milliseconds since the epoch of an instant string. */
export function ms(instant: string): number {
  return Date.parse(instant);
}

export function isoOf(msSinceEpoch: number): string {
  return new Date(msSinceEpoch).toISOString();
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at the instant, in minutes (Berlin in summer: +120). */
export function zoneOffsetMinutes(msSinceEpoch: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    offsetFormatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(msSinceEpoch))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return Math.round((wall - (msSinceEpoch - (msSinceEpoch % 1000))) / MINUTE_MS);
}

/** The UTC instant (ms) at which local wall-clock midnight of `date` happens in `timeZone`. */
export function localMidnightMs(date: string, timeZone: string): number {
  return localWallTimeMs(date, 0, timeZone);
}

/** The instant at which the wall clock in `timeZone` shows `minutes` after midnight on `date`. */
export function localWallTimeMs(date: string, minutes: number, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const wall = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) + minutes * MINUTE_MS;
  // Two fixed-point steps settle the offset, also on days whose offset changes later that day.
  let guess = wall - zoneOffsetMinutes(wall, timeZone) * MINUTE_MS;
  guess = wall - zoneOffsetMinutes(guess, timeZone) * MINUTE_MS;
  return guess;
}

/** The local time of day of an instant in `timeZone`, in hours (07:30 = 7.5). */
export function localHourOf(instant: string, timeZone: string): number {
  const t = ms(instant);
  const local = new Date(t + zoneOffsetMinutes(t, timeZone) * MINUTE_MS);
  return local.getUTCHours() + local.getUTCMinutes() / 60 + local.getUTCSeconds() / 3600;
}

/** The local calendar date of an instant in `timeZone`. */
export function localDateOf(instant: string, timeZone: string): string {
  const t = ms(instant);
  return isoOf(t + zoneOffsetMinutes(t, timeZone) * MINUTE_MS).slice(0, 10);
}

/** A calendar date `days` later (or earlier). */
export function shiftDate(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return isoOf(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days)).slice(0, 10);
}
