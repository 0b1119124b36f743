import { z } from "zod";
import { DAY_MS, HOUR_MS } from "./durations.js";
import { UtcInstant } from "./time.js";

/**
 * One request covers at most this many days of slots: a month of the community's calendar and a
 * day to spare around daylight-saving changes. Longer spans are read page by page.
 */
export const MAX_RANGE_DAYS = 32;
/** A range with one end given spans this many days from it, unless the list says otherwise. */
export const DEFAULT_RANGE_DAYS = 1;

/**
 * Readings further back than this (days) or further ahead of the hub's clock than this
 * (hours) are refused: the first is beyond any outbox a device keeps (the agents keep about
 * three weeks), the second beyond any clock error of a meter or time zone mix-up.
 */
export const READING_MAX_AGE_DAYS = 35;
export const READING_MAX_AHEAD_HOURS = 24;

const rangeDescription = `an instant; a span longer than ${MAX_RANGE_DAYS} days is answered page by page (Link: rel="next")`;

/** A span of slots, [from, to): each end optional. */
export const TimeRange = z.object({
  from: UtcInstant.optional().describe(`Start (inclusive): ${rangeDescription}`),
  to: UtcInstant.optional().describe(`End (exclusive): ${rangeDescription}`),
});
export type TimeRange = z.output<typeof TimeRange>;

/** One page of a range: the span answered now, and where the next page starts (null: none). */
export interface RangePage {
  from: string;
  to: string;
  /** to ≤ from: nothing lies in the range. */
  empty: boolean;
  next: { from: string; to: string } | null;
}

/**
 * The page of a range answered in one request: both ends (a missing end lies `defaultDays`
 * from the given one; with none given, `fallback`), at most MAX_RANGE_DAYS
 * long, the rest left for the next page. One request never covers more, whatever it asks.
 */
export function rangePage(
  r: TimeRange,
  fallback: { from: string; to: string },
  defaultDays = DEFAULT_RANGE_DAYS,
): RangePage {
  const day = defaultDays * DAY_MS;
  const from = r.from ?? (r.to ? new Date(Date.parse(r.to) - day).toISOString() : fallback.from);
  const to = r.to ?? (r.from ? new Date(Date.parse(r.from) + day).toISOString() : fallback.to);
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  if (toMs <= fromMs) return { from, to, empty: true, next: null };
  const end = fromMs + MAX_RANGE_DAYS * DAY_MS;
  if (toMs <= end) return { from, to, empty: false, next: null };
  const cut = new Date(end).toISOString();
  return { from, to: cut, empty: false, next: { from: cut, to } };
}

/** Why a reading's time is refused against the hub's clock, or null when it is plausible. */
export function readingTimeProblem(atMs: number, nowMs: number): string | null {
  if (atMs > nowMs + READING_MAX_AHEAD_HOURS * HOUR_MS)
    return `lies more than ${READING_MAX_AHEAD_HOURS} hours after the hub's time (${new Date(nowMs).toISOString()}): check the meter's clock`;
  if (atMs < nowMs - READING_MAX_AGE_DAYS * DAY_MS)
    return `lies more than ${READING_MAX_AGE_DAYS} days before the hub's time (${new Date(nowMs).toISOString()}): send the meter's current registers instead (they are cumulative and heal the gap)`;
  return null;
}
