import { DAY_MS, HOUR_MS, isoOf, localMidnightMs, slotMs } from "@openlem/protocol";

/** The local days of a run and their slots, computed once (time zone lookups are not free). */
export interface Calendar {
  slotMinutes: number;
  /** UTC start of every slot. */
  startMs: Float64Array;
  /** Per slot: local day index, local hour (fractional), day of year, weekend. */
  day: Int32Array;
  localHour: Float64Array;
  dayOfYear: Int32Array;
  weekend: Uint8Array;
  /** UTC start of each local day, and of the day after the last. */
  dayStartMs: number[];
  dates: string[];
}

export function buildCalendar(from: string, days: number, timeZone: string, slotMinutes: number): Calendar {
  const dates: string[] = [];
  const [y, m, d] = from.split("-").map(Number);
  for (let k = 0; k <= days; k++) dates.push(isoOf(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + k)).slice(0, 10));
  const dayStartMs = dates.map((date) => localMidnightMs(date, timeZone));
  const len = slotMs(slotMinutes);
  const total = ((dayStartMs[days] as number) - (dayStartMs[0] as number)) / len;
  const startMs = new Float64Array(total);
  const day = new Int32Array(total);
  const localHour = new Float64Array(total);
  const dayOfYear = new Int32Array(total);
  const weekend = new Uint8Array(total);
  let t = 0;
  for (let k = 0; k < days; k++) {
    const date = dates[k] as string;
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    const yearStart = Date.UTC(Number(date.slice(0, 4)), 0, 1);
    const doy = Math.floor((Date.parse(`${date}T00:00:00Z`) - yearStart) / DAY_MS) + 1;
    const dayStart = dayStartMs[k] as number;
    for (let s = dayStart; s < (dayStartMs[k + 1] as number); s += len) {
      startMs[t] = s;
      day[t] = k;
      // wall-clock hours since local midnight; on DST days the hours after the change shift by one
      localHour[t] = (s - dayStart) / HOUR_MS;
      dayOfYear[t] = doy;
      weekend[t] = dow === 0 || dow === 6 ? 1 : 0;
      t++;
    }
  }
  return { slotMinutes, startMs, day, localHour, dayOfYear, weekend, dayStartMs, dates: dates.slice(0, days) };
}
