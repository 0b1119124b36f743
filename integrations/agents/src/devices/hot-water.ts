/**
 * How a day's hot water is drawn: showers in the morning (06:30–08:00), washing up and baths
 * in the evening (18:30–21:00), a little during the day, almost nothing at night. The planner
 * needs an expectation; a household that knows its own habits passes its own draws instead.
 */
function weight(localHour: number): number {
  if (localHour >= 6.5 && localHour < 8) return 6;
  if (localHour >= 18.5 && localHour < 21) return 4;
  if (localHour >= 8 && localHour < 22) return 1;
  return 0.1;
}

/** Fraction of the day's draw in each slot of a day of `slots` slots. */
export function drawShare(slotMinutes: number): Float64Array {
  const n = Math.round(1440 / slotMinutes);
  const w = new Float64Array(n);
  let sum = 0;
  for (let q = 0; q < n; q++) {
    w[q] = weight(((q + 0.5) * slotMinutes) / 60);
    sum += w[q] as number;
  }
  for (let q = 0; q < n; q++) w[q] = (w[q] as number) / sum;
  return w;
}

/** Expected hot-water draw (Wh of heat) of the slot that starts at `localHour`. */
export function expectedDrawWh(dailyKwh: number, localHour: number, slotMinutes: number): number {
  const share = drawShare(slotMinutes);
  const q = Math.min(share.length - 1, Math.max(0, Math.floor((localHour * 60) / slotMinutes)));
  return dailyKwh * 1000 * (share[q] as number);
}
