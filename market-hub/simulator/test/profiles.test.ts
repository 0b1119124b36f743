import { describe, expect, it } from "vitest";
import { buildCalendar, householdLoadWh, SolarSite, weatherFactor } from "../src/index.js";
import { normal, normalQuantile } from "../src/random.js";

describe("synthetic profiles", () => {
  const cal = buildCalendar("2025-01-01", 365, "Europe/Amsterdam", 15);

  it("spreads a household's annual energy over the year, winter above summer, evenings above nights", () => {
    let total = 0;
    const byMonth = new Array(12).fill(0);
    const byHour = new Array(24).fill(0);
    for (let t = 0; t < cal.startMs.length; t++) {
      const wh = householdLoadWh(
        3500,
        cal.localHour[t] as number,
        cal.weekend[t] === 1,
        cal.dayOfYear[t] as number,
        15,
        1,
        0,
        cal.day[t] as number,
        t,
      );
      total += wh;
      byMonth[new Date(cal.startMs[t] as number).getUTCMonth()] += wh;
      byHour[Math.floor(cal.localHour[t] as number) % 24] += wh;
    }
    expect(total / 1000).toBeGreaterThan(3500 * 0.97);
    expect(total / 1000).toBeLessThan(3500 * 1.03);
    expect(byMonth[0] / byMonth[6]).toBeGreaterThan(1.2);
    expect(byHour[19]).toBeGreaterThan(2.5 * byHour[3]);
  });

  it("yields about the specific yield a year, five or more times more on a summer day than a winter day", () => {
    const site = new SolarSite(52.07, 4.3, 950);
    let kwh = 0;
    const daily = new Array(365).fill(0);
    for (let t = 0; t < cal.startMs.length; t++) {
      const w = weatherFactor(3, cal.day[t] as number, cal.dayOfYear[t] as number);
      const wh = (site.wattsPerKwp((cal.startMs[t] as number) + 450_000, w) * 15) / 60;
      kwh += wh / 1000;
      daily[cal.day[t] as number] += wh / 1000;
    }
    expect(kwh).toBeGreaterThan(950 * 0.85);
    expect(kwh).toBeLessThan(950 * 1.15);
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean(daily.slice(152, 243)) / mean([...daily.slice(0, 31), ...daily.slice(334)])).toBeGreaterThan(5);
    // the sun is down at midnight and up at noon, local time
    const june = cal.startMs.findIndex((ms) => new Date(ms).toISOString() === "2025-06-21T22:00:00.000Z");
    expect(site.wattsPerKwp((cal.startMs[june] as number) + 450_000, 1)).toBe(0);
    expect(site.wattsPerKwp((cal.startMs[june - 40] as number) + 450_000, 1)).toBeGreaterThan(500);
  });

  it("counts 92 and 100 slots on the days the clocks change", () => {
    const perDay = new Map<number, number>();
    for (const d of cal.day) perDay.set(d, (perDay.get(d) ?? 0) + 1);
    expect(perDay.get(cal.dates.indexOf("2025-03-30"))).toBe(92);
    expect(perDay.get(cal.dates.indexOf("2025-10-26"))).toBe(100);
    expect(cal.startMs.length).toBe(365 * 96);
  });
});

describe("seeded randomness", () => {
  it("draws standard normal numbers: the known quantiles, mean 0 and spread 1", () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
    let sum = 0;
    let squares = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const z = normal(5, i, 3);
      sum += z;
      squares += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(squares / n - 1)).toBeLessThan(0.03);
    expect(normal(5, 1, 3)).toBe(normal(5, 1, 3));
  });
});
