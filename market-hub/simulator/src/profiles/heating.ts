import { uniform } from "../random.js";

/** Heating starts below this outdoor temperature (°C), the Dutch degree-day base. */
const HEATING_BASE_C = 15.5;

/**
 * Outdoor temperature (°C) of north-west European weather: a mean of 10.5 °C swinging ±7 K
 * over the year (coldest late January), ±3 K over the day (warmest at 15:00), and a day's
 * weather of up to ±4 K either way, one sky for the whole community (seeded by the day).
 */
export function outdoorTempC(seed: number, dayIndex: number, dayOfYear: number, localHour: number): number {
  const season = 10.5 - 7 * Math.cos((2 * Math.PI * (dayOfYear - 25)) / 365);
  const day = 3 * Math.cos((2 * Math.PI * (localHour - 15)) / 24);
  const weather = 4 * (uniform(seed, dayIndex, 9) + uniform(seed, dayIndex, 10) - 1);
  return season + day + weather;
}

/** Heating degrees of an hour: how far below the base it is outside. */
const degrees = (tempC: number) => Math.max(0, HEATING_BASE_C - tempC);

/** Mean heating degrees over a year without the day's weather: divides the annual energy. */
const MEAN_DEGREES = (() => {
  let s = 0;
  for (let d = 1; d <= 365; d++)
    for (let q = 0; q < 96; q++) {
      const t = 10.5 - 7 * Math.cos((2 * Math.PI * (d - 25)) / 365) + 3 * Math.cos((2 * Math.PI * (q / 4 - 15)) / 24);
      s += degrees(t);
    }
  return s / (365 * 96);
})();

/**
 * A heat pump's electricity in a slot (Wh): the annual energy spread over the heating degrees,
 * so it runs hardest on cold winter nights and not at all in summer.
 */
export function heatingWh(
  annualKwh: number,
  localHour: number,
  dayOfYear: number,
  slotMinutes: number,
  seed: number,
  dayIndex: number,
): number {
  if (annualKwh === 0) return 0;
  const meanW = (annualKwh * 1000) / 8760;
  const w = (meanW * degrees(outdoorTempC(seed, dayIndex, dayOfYear, localHour))) / MEAN_DEGREES;
  return Math.round((w * slotMinutes) / 60);
}
