import { zoneOffsetMinutes } from "@openlem/protocol/zone";
import { scaleLinear, scaleUtc } from "d3-scale";
import { nothing, svg, type TemplateResult } from "lit";
import type { PriceSlot } from "../data/price.js";

export interface PriceChartOptions {
  slots: readonly PriceSlot[];
  /** Length of one slot in ms: a bar covers its slot's time. */
  slotMs: number;
  /** Time drawn, [from, to) in ms; by default from the first slot's start to the last slot's end. */
  domain?: [number, number];
  retail: number | null;
  feedIn: number | null;
  /** The moment to mark as now (its slot is highlighted), or null. */
  nowMs: number | null;
  /** [from, to) in ms of the window to mark, or null. */
  window: [number, number] | null;
  /** Start of the next day (a divider with a label), or null. */
  nextDayMs: number | null;
  labels: { title: string; retail: string; feedIn: string; nextDay: string; noData: string };
  /** How the chart names a moment (in gap titles). */
  time: (ms: number) => string;
  /** How the axis names a tick (whole hours or days); `time` by default. */
  tick?: (ms: number) => string;
  /**
   * The calendar the ticks follow (an IANA zone: the community's), whatever zone the browser
   * is in; the browser's own by default.
   */
  timeZone?: string;
}

export const CHART = { width: 320, height: 140, left: 28, right: 6, top: 8, bottom: 18 } as const;

/** Where a moment lies on the chart's time axis (the bars' and the tests' one rule): linear in time. */
export function timeScale(domain: [number, number]) {
  return scaleUtc()
    .domain([new Date(domain[0]), new Date(domain[1])])
    .range([CHART.left, CHART.width - CHART.right]);
}

const TICK_HOURS = [1, 2, 3, 6, 12, 24];

/**
 * The axis' ticks: whole hours of `timeZone`'s wall clock (every 1, 2, 3, 6, 12 or 24 hours,
 * the finest that gives at most `count`), so the labels fall on the community's hours and
 * midnights wherever the browser is; a day that changes its clock keeps them on the hour.
 */
export function zoneTicks(domain: [number, number], timeZone: string, count: number): number[] {
  const quarter = 15 * 60_000;
  const hours: { ms: number; hour: number }[] = [];
  for (let t = Math.ceil(domain[0] / quarter) * quarter; t <= domain[1]; t += quarter) {
    const wall = t + zoneOffsetMinutes(t, timeZone) * 60_000;
    if (wall % 3_600_000 === 0) hours.push({ ms: t, hour: new Date(wall).getUTCHours() });
  }
  for (const step of TICK_HOURS) {
    const ticks = hours.filter((h) => h.hour % step === 0).map((h) => h.ms);
    if (ticks.length <= count || step === 24) return ticks;
  }
  return [];
}

/** Stretches of the domain no slot covers, as [from, to) in ms. */
export function gaps(slots: readonly PriceSlot[], slotMs: number, domain: [number, number]): [number, number][] {
  const out: [number, number][] = [];
  let covered = domain[0];
  for (const s of slots) {
    if (s.startMs > covered) out.push([covered, Math.min(s.startMs, domain[1])]);
    covered = Math.max(covered, s.startMs + slotMs);
  }
  if (covered < domain[1]) out.push([covered, domain[1]]);
  return out.filter(([a, b]) => b > a);
}

/**
 * Local prices per slot as bars on a time axis, with retail and feed-in as dashed lines: the
 * price card and the hub's own pages draw prices the same way. A bar covers its slot's time, so
 * a slot nobody priced shows as a hatched gap instead of closing up; forecast slots are lighter
 * than cleared ones.
 */
export function priceChart(o: PriceChartOptions): TemplateResult {
  const { width: W, height: H, top, bottom, right } = CHART;
  const first = o.slots[0];
  const last = o.slots.at(-1);
  const domain: [number, number] = o.domain ?? [first?.startMs ?? 0, (last?.startMs ?? 0) + o.slotMs];
  const x = timeScale(domain);
  const at = (ms: number) => x(new Date(ms));
  const values = o.slots.map((s) => s.value);
  const lines = [o.retail, o.feedIn].filter((v): v is number => v !== null);
  const hi = Math.max(...values, ...lines, 0);
  const lo = Math.min(...values, ...lines, 0);
  const y = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([H - bottom, top]);
  const inside = o.slots.filter((s) => s.startMs + o.slotMs > domain[0] && s.startMs < domain[1]);
  const zone = o.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const ticks = zoneTicks(domain, zone, Math.max(2, Math.floor((W - CHART.left - right) / 70))).map((t) => new Date(t));
  const tickText = o.tick ?? o.time;
  // a label at either end of the axis stays inside the chart
  const anchor = (px: number) => (px < CHART.left + 12 ? "start" : px > W - right - 12 ? "end" : "middle");
  // a line's label goes below the line when above it would leave the chart
  const labelY = (py: number) => (py - 2 < top + 8 ? py + 10 : py - 2);
  const clip = (ms: number) => Math.min(Math.max(at(ms), CHART.left), W - right);
  return svg`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label=${o.labels.title}>
    <defs><pattern id="olm-gap" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <line x1="0" y1="0" x2="0" y2="4" stroke="var(--olm-line, #bbb)" stroke-width="1.5"></line></pattern></defs>
    ${gaps(inside, o.slotMs, domain).map(
      ([a, b]) => svg`<rect class="gap" x=${clip(a)} y=${top} width=${clip(b) - clip(a)} height=${H - bottom - top}
        fill="url(#olm-gap)" opacity="0.5"><title>${o.labels.noData}: ${o.time(a)}–${o.time(b)}</title></rect>`,
    )}
    ${
      o.window
        ? svg`<rect data-testid="cheapest" x=${clip(o.window[0])} y=${top} width=${clip(o.window[1]) - clip(o.window[0])}
            height=${H - bottom - top} fill="var(--olm-good, #43a047)" opacity="0.15"></rect>`
        : nothing
    }
    ${inside.map((s) => {
      const cur = o.nowMs !== null && s.startMs <= o.nowMs && o.nowMs < s.startMs + o.slotMs;
      const x1 = clip(s.startMs);
      const x2 = clip(s.startMs + o.slotMs);
      const y0 = y(0);
      const yv = y(s.value);
      return svg`<rect class=${cur ? "bar current" : "bar"} data-start=${new Date(s.startMs).toISOString()}
        x=${x1 + 0.25} y=${Math.min(y0, yv)} width=${Math.max(0.5, x2 - x1 - 0.5)} height=${Math.max(1, Math.abs(yv - y0))}
        fill=${cur ? "var(--olm-warn, #ffa600)" : "var(--olm-accent, #03a9f4)"} opacity=${s.kind === "forecast" ? 0.55 : 1}></rect>`;
    })}
    ${
      o.retail !== null
        ? svg`<line data-testid="retail" x1=${CHART.left} x2=${W - right} y1=${y(o.retail)} y2=${y(o.retail)} stroke="var(--olm-bad, #db4437)" stroke-dasharray="4 3"></line>
          <text x=${W - right} y=${labelY(y(o.retail))} text-anchor="end">${o.labels.retail}</text>`
        : nothing
    }
    ${
      o.feedIn !== null
        ? svg`<line data-testid="feed-in" x1=${CHART.left} x2=${W - right} y1=${y(o.feedIn)} y2=${y(o.feedIn)} stroke="var(--olm-good, #43a047)" stroke-dasharray="4 3"></line>
          <text x=${W - right} y=${y(o.feedIn) + 10} text-anchor="end">${o.labels.feedIn}</text>`
        : nothing
    }
    ${
      o.nextDayMs !== null && o.nextDayMs > domain[0] && o.nextDayMs < domain[1]
        ? svg`<line data-testid="next-day" x1=${at(o.nextDayMs)} x2=${at(o.nextDayMs)} y1=${top} y2=${H - bottom} stroke="var(--olm-line, #ccc)"></line>
          <text x=${at(o.nextDayMs) + 2} y=${top + 8}>${o.labels.nextDay}</text>`
        : nothing
    }
    <text x=${CHART.left - 3} y=${y(hi) + 8} text-anchor="end">${Math.round(hi * 100)}</text>
    <text x=${CHART.left - 3} y=${y(lo)} text-anchor="end">${Math.round(lo * 100)}</text>
    ${ticks.map(
      (
        t,
      ) => svg`<line class="tick" x1=${x(t)} x2=${x(t)} y1=${H - bottom} y2=${H - bottom + 3} stroke="var(--olm-line, #ccc)"></line>
        <text class="tick" data-ms=${t.getTime()} x=${x(t)} y=${H - 4} text-anchor=${anchor(x(t))}>${tickText(t.getTime())}</text>`,
    )}
  </svg>`;
}
