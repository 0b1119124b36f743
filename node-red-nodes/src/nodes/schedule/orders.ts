import { HOUR_MS, isoOf, localDateOf, localMidnightMs, MINUTE_MS, shiftDate, slotMs } from "@openlem/protocol";
import { z } from "zod";

const Instant = z.iso.datetime({ offset: true });

/**
 * A power-saver strategy node's schedule (its third output, `msg.payload`), as power-saver 5
 * sends it (src/handle-output.js, src/utils.js `makeSchedule`, src/handle-input.js):
 * - `schedule`: each switch with `time`, `value` (on or off) and `countMinutes`, the minutes
 *   until the next switch or the plan's end; the last entry, a switch back to the node's
 *   "output if no schedule" a minute after the plan, has `countMinutes: null`;
 * - `minutes`: the plan minute by minute, *collapsed* into runs of equal price and on/off
 *   (`collapseMinutes`): `{ start, price, onOff, saving, count, startIndex }`, `count` being the
 *   run's minutes (null for the last run, whose length the schedule tells);
 * - `hours` instead of `minutes` in versions before 5.
 * Only what OpenLEM reads is required.
 */
export const PowerSaverSchedule = z.object({
  schedule: z
    .array(
      z.object({
        time: Instant,
        value: z.boolean(),
        countMinutes: z.number().min(0).nullable().optional(),
      }),
    )
    .min(1, "is empty: nothing to bid for"),
  minutes: z
    .array(
      z.object({
        start: Instant,
        price: z.number().optional(),
        count: z.number().int().min(0).nullable().optional(),
      }),
    )
    .optional(),
  hours: z.array(z.object({ start: Instant, price: z.number().optional() })).optional(),
});
export type PowerSaverSchedule = z.output<typeof PowerSaverSchedule>;

export interface ScheduleBids {
  /** The device's power when on (W). */
  powerW: number;
  /**
   * The energy the device needs a day (Wh), for plans whose "on" means "may run" (Best Save):
   * bid only that, in the cheapest minutes the plan allows. Absent: the device draws its power
   * whenever the plan has it on (Lowest Price, a fixed schedule).
   */
  dailyWh?: number | undefined;
  /** The most it pays per kWh. */
  limitPrice: number;
  slotMinutes: number;
  /** The community's time zone: its days are what `dailyWh` is per. */
  timeZone: string;
  /** The first slot that still takes orders (ms). */
  fromMs: number;
  /** Makes the client order ids: the same slot replaces its bid when a new schedule comes. */
  idPrefix: string;
}

/** A stretch of the plan: [fromMs, toMs). */
interface Span {
  fromMs: number;
  toMs: number;
}

/**
 * Where the plan ends: the end of its last counted switch (or minute run), else after its
 * last hour (power-saver 4), else at its last switch.
 */
export function scheduleEndMs(s: PowerSaverSchedule): number {
  const ends = s.schedule.flatMap((e) =>
    typeof e.countMinutes === "number" ? [Date.parse(e.time) + e.countMinutes * MINUTE_MS] : [],
  );
  for (const m of s.minutes ?? [])
    if (typeof m.count === "number") ends.push(Date.parse(m.start) + m.count * MINUTE_MS);
  const lastHour = s.hours?.at(-1)?.start;
  if (lastHour) ends.push(Date.parse(lastHour) + HOUR_MS);
  if (ends.length) return Math.max(...ends);
  return Math.max(...s.schedule.map((e) => Date.parse(e.time)));
}

/** The stretches the plan has the device on (or allowed to run). */
function onSpans(s: PowerSaverSchedule, endMs: number): Span[] {
  const switches = [...s.schedule].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return switches.flatMap((e, i) => {
    if (!e.value) return [];
    const fromMs = Date.parse(e.time);
    const next = switches[i + 1];
    const toMs =
      typeof e.countMinutes === "number" ? fromMs + e.countMinutes * MINUTE_MS : next ? Date.parse(next.time) : endMs;
    return [{ fromMs, toMs: Math.min(toMs, endMs) }];
  });
}

/** The prices the plan was made with: collapsed runs (power-saver 5), single minutes, or hours. */
function priceSpans(s: PowerSaverSchedule, endMs: number): (Span & { price: number })[] {
  const out: (Span & { price: number })[] = [];
  const runs = s.minutes ?? [];
  const collapsed = runs.some((m) => m.count !== undefined);
  for (const [i, m] of runs.entries()) {
    if (m.price === undefined) continue;
    const fromMs = Date.parse(m.start);
    const toMs = typeof m.count === "number" ? fromMs + m.count * MINUTE_MS : collapsed ? endMs : fromMs + MINUTE_MS;
    out.push({
      fromMs,
      toMs: Math.min(toMs, runs[i + 1] ? Date.parse(runs[i + 1]?.start ?? "") : toMs),
      price: m.price,
    });
  }
  for (const h of s.hours ?? [])
    if (h.price !== undefined)
      out.push({ fromMs: Date.parse(h.start), toMs: Date.parse(h.start) + HOUR_MS, price: h.price });
  return out;
}

const overlap = (a: Span, b: Span) => Math.max(0, Math.min(a.toMs, b.toMs) - Math.max(a.fromMs, b.fromMs));

/** Each slot from `fromMs` to the plan's end: how long the plan has the device on in it, and at what price. */
export function planSlots(
  s: PowerSaverSchedule,
  slotMinutes: number,
  fromMs: number,
): { startMs: number; onMs: number; price: number | null }[] {
  const len = slotMs(slotMinutes);
  const end = scheduleEndMs(s);
  const on = onSpans(s, end);
  const prices = priceSpans(s, end);
  const out: { startMs: number; onMs: number; price: number | null }[] = [];
  for (let t = Math.ceil(fromMs / len) * len; t < end; t += len) {
    const slot = { fromMs: t, toMs: t + len };
    const onMs = on.reduce((a, span) => a + overlap(span, slot), 0);
    if (onMs <= 0) continue;
    // the price the plan saw in the minutes it has the device on, weighted by time
    let weighted = 0;
    let priced = 0;
    for (const span of on)
      for (const p of prices) {
        const ms = overlap({ fromMs: Math.max(span.fromMs, t), toMs: Math.min(span.toMs, t + len) }, p);
        weighted += p.price * ms;
        priced += ms;
      }
    out.push({ startMs: t, onMs, price: priced > 0 ? weighted / priced : null });
  }
  return out;
}

/**
 * The schedule as OpenLEM bids, one buy per slot the device runs in, at the limit. Without a
 * daily energy: the device's power for the minutes the plan has it on. With one: per
 * community day, that energy (the part of the day the plan still covers, for a day begun),
 * in the cheapest slots the plan allows first, each up to the power for its allowed minutes.
 */
export function scheduleOrders(s: PowerSaverSchedule, o: ScheduleBids) {
  const slots = planSlots(s, o.slotMinutes, o.fromMs);
  const energy = new Map<number, number>();
  if (o.dailyWh === undefined) {
    for (const x of slots) energy.set(x.startMs, (o.powerW * x.onMs) / HOUR_MS);
  } else {
    const len = slotMs(o.slotMinutes);
    const days = new Map<string, typeof slots>();
    for (const x of slots) {
      const day = localDateOf(isoOf(x.startMs), o.timeZone);
      days.set(day, [...(days.get(day) ?? []), x]);
    }
    const end = scheduleEndMs(s);
    const from = Math.ceil(o.fromMs / len) * len;
    for (const [day, list] of days) {
      // the share of the day the plan covers from the first open slot on
      const dayStart = localMidnightMs(day, o.timeZone);
      const dayEnd = localMidnightMs(shiftDate(day, 1), o.timeZone);
      const covered = Math.max(0, Math.min(end, dayEnd) - Math.max(from, dayStart)) / (dayEnd - dayStart);
      let need = o.dailyWh * covered;
      const cheapestFirst = [...list].sort(
        (a, b) =>
          (a.price ?? Number.POSITIVE_INFINITY) - (b.price ?? Number.POSITIVE_INFINITY) || a.startMs - b.startMs,
      );
      for (const x of cheapestFirst) {
        if (need <= 0) break;
        const wh = Math.min(need, (o.powerW * x.onMs) / HOUR_MS);
        energy.set(x.startMs, wh);
        need -= wh;
      }
    }
  }
  const orders: { clientOrderId: string; side: "buy"; slot: string; energyWh: number; limitPrice: number }[] = [];
  for (const x of slots) {
    const energyWh = Math.round(energy.get(x.startMs) ?? 0);
    if (energyWh <= 0) continue;
    const slot = isoOf(x.startMs);
    orders.push({ clientOrderId: `${o.idPrefix}-${slot}`, side: "buy", slot, energyWh, limitPrice: o.limitPrice });
  }
  return orders;
}
