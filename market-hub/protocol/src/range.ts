import { z } from "zod";
import type { FieldProblem } from "./errors.js";
import { UtcInstant } from "./time.js";

const DAY_MS = 86_400_000;

/**
 * One request covers at most this many days of slots: a month of the community's calendar and a
 * day to spare around daylight-saving changes. Longer spans are read page by page.
 */
export const MAX_RANGE_DAYS = 32;
/** A range with one end given spans this many days from it. */
export const DEFAULT_RANGE_DAYS = 1;

/**
 * Readings further back than this (days) or further ahead of the hub's clock than this
 * (hours) are refused: the first is beyond any outbox a device keeps (the agents keep about
 * three weeks), the second beyond any clock error of a meter or time zone mix-up.
 */
export const READING_MAX_AGE_DAYS = 35;
export const READING_MAX_AHEAD_HOURS = 24;

const rangeDescription = `an instant; with \`to\`, at most ${MAX_RANGE_DAYS} days apart (page through longer spans)`;

/** A span of slots, [from, to): each end optional, the two in order and at most MAX_RANGE_DAYS apart. */
export const TimeRange = z
  .object({
    from: UtcInstant.optional().describe(`Start (inclusive): ${rangeDescription}`),
    to: UtcInstant.optional().describe(`End (exclusive): ${rangeDescription}`),
  })
  .superRefine((r, ctx) => {
    if (!r.from || !r.to) return;
    for (const p of rangeProblems(Date.parse(r.from), Date.parse(r.to)))
      ctx.addIssue({ code: "custom", path: [p.field], message: p.rule });
  });
export type TimeRange = z.output<typeof TimeRange>;

/** What is wrong with the span [fromMs, toMs), named by field. */
export function rangeProblems(fromMs: number, toMs: number): FieldProblem[] {
  if (toMs <= fromMs) return [{ field: "to", rule: "must be after from" }];
  if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS)
    return [{ field: "to", rule: `must be at most ${MAX_RANGE_DAYS} days after from (page through longer spans)` }];
  return [];
}

/**
 * Both ends of a range: a missing end lies DEFAULT_RANGE_DAYS from the given one, and with none
 * given the range is `fallback` (such as today in the community's calendar).
 */
export function rangeEnds(r: TimeRange, fallback: { from: string; to: string }): { from: string; to: string } {
  if (r.from && r.to) return { from: r.from, to: r.to };
  if (r.from) return { from: r.from, to: new Date(Date.parse(r.from) + DEFAULT_RANGE_DAYS * DAY_MS).toISOString() };
  if (r.to) return { from: new Date(Date.parse(r.to) - DEFAULT_RANGE_DAYS * DAY_MS).toISOString(), to: r.to };
  return fallback;
}

/** Why a reading's time is refused against the hub's clock, or null when it is plausible. */
export function readingTimeProblem(atMs: number, nowMs: number): string | null {
  if (atMs > nowMs + READING_MAX_AHEAD_HOURS * 3_600_000)
    return `lies more than ${READING_MAX_AHEAD_HOURS} hours after the hub's time (${new Date(nowMs).toISOString()}): check the meter's clock`;
  if (atMs < nowMs - READING_MAX_AGE_DAYS * DAY_MS)
    return `lies more than ${READING_MAX_AGE_DAYS} days before the hub's time (${new Date(nowMs).toISOString()}): send the meter's current registers instead (they are cumulative and heal the gap)`;
  return null;
}
