import { HOUR_MS, isoOf } from "@openlem/protocol";
import { z } from "zod";

/**
 * A power-saver strategy node's schedule (its third output, `msg.payload`): when the switch
 * goes on or off, and the minutes (or, in older versions, hours) it planned over. Only what
 * OpenLEM reads is required; see test/power-saver-contract.test.ts for the pinned shape.
 */
export const PowerSaverSchedule = z.object({
  schedule: z
    .array(z.object({ time: z.iso.datetime({ offset: true }), value: z.boolean() }))
    .min(1, "is empty: nothing to bid for"),
  minutes: z.array(z.object({ start: z.iso.datetime({ offset: true }) })).optional(),
  hours: z.array(z.object({ start: z.iso.datetime({ offset: true }) })).optional(),
});
export type PowerSaverSchedule = z.output<typeof PowerSaverSchedule>;

export interface ScheduleBids {
  /** The device's power when on (W). */
  powerW: number;
  /** The most it pays per kWh. */
  limitPrice: number;
  slotMinutes: number;
  /** The first slot that still takes orders (ms). */
  fromMs: number;
  /** Makes the client order ids: the same slot replaces its bid when a new schedule comes. */
  idPrefix: string;
}

/** Where the schedule's plan ends: after its last planned minute (or hour), else at its last switch. */
export function scheduleEndMs(s: PowerSaverSchedule): number {
  const lastMinute = s.minutes?.at(-1)?.start;
  if (lastMinute) return Date.parse(lastMinute) + 60_000;
  const lastHour = s.hours?.at(-1)?.start;
  if (lastHour) return Date.parse(lastHour) + HOUR_MS;
  return Math.max(...s.schedule.map((e) => Date.parse(e.time)));
}

/**
 * The schedule as OpenLEM bids: for every slot from `fromMs` to the plan's end, a buy of the
 * energy the device draws in the minutes the schedule has it on (power × time), at the limit.
 * Before the schedule's first switch the device counts as off; slots it is off in get no bid.
 */
export function scheduleOrders(s: PowerSaverSchedule, o: ScheduleBids) {
  const len = o.slotMinutes * 60_000;
  const switches = s.schedule.map((e) => ({ at: Date.parse(e.time), on: e.value })).sort((a, b) => a.at - b.at);
  const end = scheduleEndMs(s);
  const onMs = (from: number, to: number): number => {
    let total = 0;
    for (const [i, sw] of switches.entries()) {
      if (!sw.on) continue;
      const until = switches[i + 1]?.at ?? end;
      total += Math.max(0, Math.min(to, until) - Math.max(from, sw.at));
    }
    return total;
  };
  const orders: { clientOrderId: string; side: "buy"; slot: string; energyWh: number; limitPrice: number }[] = [];
  for (let t = Math.ceil(o.fromMs / len) * len; t < end; t += len) {
    const energyWh = Math.round((o.powerW * onMs(t, t + len)) / HOUR_MS);
    if (energyWh <= 0) continue;
    const slot = isoOf(t);
    orders.push({ clientOrderId: `${o.idPrefix}-${slot}`, side: "buy", slot, energyWh, limitPrice: o.limitPrice });
  }
  return orders;
}
