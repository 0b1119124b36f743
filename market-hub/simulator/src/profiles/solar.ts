import { DAY_MS } from "@openlem/protocol";
import { uniform } from "../random.js";

const RAD = Math.PI / 180;

/** Sine of the sun's elevation at a UTC instant and place (a standard low-precision formula). */
export function sunSine(ms: number, latitude: number, longitude: number): number {
  const dayOfYear = Math.floor((ms - Date.UTC(new Date(ms).getUTCFullYear(), 0, 1)) / DAY_MS) + 1;
  const g = (2 * Math.PI * (dayOfYear - 1)) / 365;
  const decl =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g);
  const eqTimeMin =
    229.18 *
    (0.000075 +
      0.001868 * Math.cos(g) -
      0.032077 * Math.sin(g) -
      0.014615 * Math.cos(2 * g) -
      0.04089 * Math.sin(2 * g));
  const utcMin = (ms / 60_000) % 1440;
  const solarMin = utcMin + eqTimeMin + 4 * longitude;
  const hourAngle = (solarMin / 4 - 180) * RAD;
  const lat = latitude * RAD;
  return Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle);
}

/** Clear-sky global horizontal irradiance (W/m², Haurwitz's model). */
export function clearSkyGhi(sinElevation: number): number {
  return sinElevation <= 0.01 ? 0 : 1098 * sinElevation * Math.exp(-0.057 / sinElevation);
}

/** The mean sky: clearer in summer (0.7) than in winter (0.4), as north-west European weather. */
export function meanWeather(dayOfYear: number): number {
  return 0.55 - 0.15 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
}

/** The day's weather factor (0.05 to 1: overcast to clear), seeded; one sky for the whole community. */
export function weatherFactor(seed: number, dayIndex: number, dayOfYear: number): number {
  const spread = uniform(seed, dayIndex, 7) + uniform(seed, dayIndex, 8) - 1; // triangular in (-1, 1)
  return Math.min(1, Math.max(0.05, meanWeather(dayOfYear) + 0.45 * spread));
}

/**
 * Watts per kWp for a clear sky: irradiance over 1000 W/m² times a performance ratio and a
 * gain for tilted panels, scaled so that a year of mean weather yields `yieldKwhPerKwp`.
 */
export class SolarSite {
  private readonly scale: number;

  constructor(
    readonly latitude: number,
    readonly longitude: number,
    readonly yieldKwhPerKwp: number,
  ) {
    let wh = 0;
    const start = Date.UTC(2025, 0, 1);
    for (let q = 0; q < 365 * 96; q++) {
      const ms = start + q * 900_000 + 450_000;
      wh += (clearSkyGhi(sunSine(ms, latitude, longitude)) / 1000) * meanWeather(Math.floor(q / 96) + 1) * 0.25;
    }
    this.scale = yieldKwhPerKwp / wh;
  }

  /** PV power per kWp (W) at the middle of a slot, under the day's weather factor. */
  wattsPerKwp(slotMidMs: number, weather: number): number {
    return clearSkyGhi(sunSine(slotMidMs, this.latitude, this.longitude)) * this.scale * weather;
  }
}
