import { normal, uniform } from "../random.js";

/**
 * Hourly shape of a household's consumption on a working day and at weekends, after the
 * residential standard load profile: low at night, a morning bump around 07:00–08:00, the
 * evening peak from 18:00 to 21:00. Relative values; the level comes from the annual total.
 */
const WEEKDAY = [
  0.55, 0.45, 0.4, 0.38, 0.38, 0.42, 0.62, 0.95, 0.9, 0.78, 0.75, 0.8, 0.9, 0.85, 0.75, 0.72, 0.8, 0.98, 1.3, 1.48,
  1.42, 1.25, 1.0, 0.75,
];
const WEEKEND = [
  0.6, 0.5, 0.42, 0.38, 0.38, 0.4, 0.45, 0.6, 0.85, 1.0, 1.05, 1.1, 1.15, 1.0, 0.9, 0.85, 0.9, 1.05, 1.3, 1.45, 1.4,
  1.25, 1.05, 0.8,
];

/** Winter about 1.35 times summer, highest mid-January. */
export function seasonalFactor(dayOfYear: number): number {
  return 1 + 0.15 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
}

/** The shape's value at a local hour (fractional), interpolated between hours. */
export function loadShape(localHour: number, weekend: boolean): number {
  const table = weekend ? WEEKEND : WEEKDAY;
  const h = ((localHour % 24) + 24) % 24;
  const i = Math.floor(h);
  const f = h - i;
  return (table[i] as number) * (1 - f) + (table[(i + 1) % 24] as number) * f;
}

/** Mean of shape × season over a year (7 days a week, 96 points a day): divides the annual energy. */
export const MEAN_LOAD_SHAPE = (() => {
  let s = 0;
  let n = 0;
  for (let d = 0; d < 364; d++)
    for (let q = 0; q < 96; q++) {
      s += loadShape(q / 4, d % 7 >= 5) * seasonalFactor(d + 1);
      n++;
    }
  return s / n;
})();

/** How much a household's load varies from slot to slot by default: about ±30 %. */
export const DEFAULT_LOAD_VARIABILITY = 0.17;

/**
 * A household's consumption in a slot (Wh): the annual energy spread over the shape and the
 * season, with the household's own habits (a shift of up to an hour either way, fixed per
 * day) and slot-to-slot noise, all seeded. The noise is a log-normal factor of mean 1 whose
 * logarithm has the standard deviation `variability`: 0.17 spreads a slot by about ±30 %;
 * measured 15-minute data of single homes (a kettle, an oven, a washing machine coming and
 * going) vary by as much as their mean, about 0.8.
 */
export function householdLoadWh(
  annualKwh: number,
  localHour: number,
  weekend: boolean,
  dayOfYear: number,
  slotMinutes: number,
  seed: number,
  household: number,
  dayIndex: number,
  slotIndex: number,
  variability: number = DEFAULT_LOAD_VARIABILITY,
): number {
  const shift = (uniform(seed, household, dayIndex, 1) - 0.5) * 2;
  const noise = Math.exp(variability * normal(seed, household, slotIndex * 4 + 2) - (variability * variability) / 2);
  const meanW = (annualKwh * 1000) / 8760;
  const w = (meanW * loadShape(localHour + shift, weekend) * seasonalFactor(dayOfYear) * noise) / MEAN_LOAD_SHAPE;
  return Math.round((w * slotMinutes) / 60);
}
