import { nothing, svg, type TemplateResult } from "lit";
import type { PriceSlot } from "../data/price.js";

export interface PriceChartOptions {
  slots: readonly PriceSlot[];
  retail: number | null;
  feedIn: number | null;
  /** Index of the slot to highlight (the current one), or -1. */
  current: number;
  /** [first, last] slot of the window to mark, or null. */
  window: [number, number] | null;
  /** Index of the first slot of the next day, or -1. */
  nextDay: number;
  labels: { title: string; retail: string; feedIn: string; nextDay: string };
  /** How the axis names a slot's start. */
  time: (ms: number) => string;
}

const W = 320;
const H = 140;
const PAD = { left: 28, right: 6, top: 8, bottom: 18 };

/**
 * Local prices per slot as bars, with retail and feed-in as dashed lines: the price card and
 * the hub's own pages draw prices the same way. Forecast slots are lighter than cleared ones.
 */
export function priceChart(o: PriceChartOptions): TemplateResult {
  const values = o.slots.map((s) => s.value);
  const lines = [o.retail, o.feedIn].filter((x): x is number => x !== null);
  const hi = Math.max(...values, ...lines, 0);
  const lo = Math.min(...values, ...lines, 0);
  const span = hi - lo || 1;
  const x0 = PAD.left;
  const cw = W - PAD.left - PAD.right;
  const ch = H - PAD.top - PAD.bottom;
  const bw = cw / Math.max(1, o.slots.length);
  const y = (p: number) => PAD.top + ((hi - p) / span) * ch;
  const first = o.slots[0];
  const last = o.slots.at(-1);
  return svg`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label=${o.labels.title}>
    ${
      o.window
        ? svg`<rect data-testid="cheapest" x=${x0 + o.window[0] * bw} y=${PAD.top} width=${(o.window[1] - o.window[0] + 1) * bw}
            height=${ch} fill="var(--olm-good, #43a047)" opacity="0.15"></rect>`
        : nothing
    }
    ${o.slots.map((s, i) => {
      const top = y(Math.max(0, s.value));
      const h = Math.max(1, Math.abs(y(s.value) - y(0)));
      const cur = i === o.current;
      return svg`<rect class=${cur ? "bar current" : "bar"} x=${x0 + i * bw + 0.5} y=${top} width=${Math.max(0.5, bw - 1)} height=${h}
        fill=${cur ? "var(--olm-warn, #ffa600)" : "var(--olm-accent, #03a9f4)"} opacity=${s.kind === "forecast" ? 0.55 : 1}></rect>`;
    })}
    ${
      o.retail !== null
        ? svg`<line data-testid="retail" x1=${x0} x2=${W - PAD.right} y1=${y(o.retail)} y2=${y(o.retail)} stroke="var(--olm-bad, #db4437)" stroke-dasharray="4 3"></line>
          <text x=${W - PAD.right} y=${y(o.retail) - 2} text-anchor="end">${o.labels.retail}</text>`
        : nothing
    }
    ${
      o.feedIn !== null
        ? svg`<line data-testid="feed-in" x1=${x0} x2=${W - PAD.right} y1=${y(o.feedIn)} y2=${y(o.feedIn)} stroke="var(--olm-good, #43a047)" stroke-dasharray="4 3"></line>
          <text x=${W - PAD.right} y=${y(o.feedIn) + 10} text-anchor="end">${o.labels.feedIn}</text>`
        : nothing
    }
    ${
      o.nextDay > 0
        ? svg`<line x1=${x0 + o.nextDay * bw} x2=${x0 + o.nextDay * bw} y1=${PAD.top} y2=${H - PAD.bottom} stroke="var(--olm-line, #ccc)"></line>
          <text x=${x0 + o.nextDay * bw + 2} y=${PAD.top + 8}>${o.labels.nextDay}</text>`
        : nothing
    }
    <text x=${x0 - 3} y=${y(hi) + 8} text-anchor="end">${Math.round(hi * 100)}</text>
    <text x=${x0 - 3} y=${y(lo)} text-anchor="end">${Math.round(lo * 100)}</text>
    ${first ? svg`<text x=${x0} y=${H - 4}>${o.time(first.startMs)}</text>` : nothing}
    ${last ? svg`<text x=${W - PAD.right} y=${H - 4} text-anchor="end">${o.time(last.startMs)}</text>` : nothing}
  </svg>`;
}

/** Bar geometry for tests: where slot i's bar starts. */
export const barX = (i: number, count: number) => PAD.left + i * ((W - PAD.left - PAD.right) / count) + 0.5;
