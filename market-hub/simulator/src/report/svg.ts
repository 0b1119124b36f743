import { type ScaleLinear, scaleBand, scaleLinear } from "d3-scale";

/**
 * Minimal SVG charts for the HTML report: no scripts, readable offline. Scales, nice domains and
 * ticks come from d3-scale, as in the cards.
 */

export interface LineSeries {
  name: string;
  color: string;
  values: readonly number[];
  dashed?: boolean;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The legend: each entry as wide as its name (about 6.5 px a character at 12 px), on as many rows as needed. */
function legend(
  series: readonly { name: string; color: string; dashed?: boolean }[],
  x: number,
  y: number,
  maxX: number,
): string {
  let at = x;
  let row = y;
  return series
    .map((s) => {
      const w = 28 + s.name.length * 6.5 + 24;
      if (at > x && at + w - 24 > maxX) {
        at = x;
        row += 16;
      }
      const g = `<g transform="translate(${at},${row})"><line x1="0" y1="0" x2="22" y2="0" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/><text x="28" y="4">${esc(s.name)}</text></g>`;
      at += w;
      return g;
    })
    .join("");
}

/** Horizontal grid lines with their labels at the scale's ticks. */
function yGrid(y: ScaleLinear<number, number>, from: number, to: number, format: (v: number) => string): string {
  return y
    .ticks(5)
    .map(
      (v) =>
        `<line x1="${from}" x2="${to}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${from - 6}" y="${y(v) + 4}" text-anchor="end">${format(v)}</text>`,
    )
    .join("");
}

/** A line chart over equally spaced x positions; NaN values leave gaps. */
export function lineChart(o: {
  title: string;
  xLabels: readonly string[];
  series: readonly LineSeries[];
  yLabel: string;
  yMin?: number;
  width?: number;
  height?: number;
}): string {
  const W = o.width ?? 900;
  const H = o.height ?? 340;
  const L = 60;
  const R = 20;
  const T = 36;
  const B = 70;
  const all = o.series.flatMap((s) => s.values.filter(Number.isFinite));
  const yMin = o.yMin ?? Math.min(0, ...all);
  const n = Math.max(1, ...o.series.map((s) => s.values.length));
  const x = scaleLinear()
    .domain([0, Math.max(1, n - 1)])
    .range([L, W - R]);
  const y = scaleLinear()
    .domain([yMin, Math.max(...all, yMin + 1e-9)])
    .nice(5)
    .range([H - B, T]);
  const every = Math.max(1, Math.ceil(o.xLabels.length / 24));
  const ticks = o.xLabels
    .map((lab, i) =>
      i % every === 0 ? `<text x="${x(i)}" y="${H - B + 16}" text-anchor="middle">${esc(lab)}</text>` : "",
    )
    .join("");
  const paths = o.series
    .map((s) => {
      let d = "";
      let pen = false;
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v)) {
          pen = false;
          return;
        }
        d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ""}><title>${esc(s.name)}</title></path>`;
    })
    .join("");
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.title)}" font-family="sans-serif" font-size="12">
<text x="${L}" y="20" font-size="15" font-weight="bold">${esc(o.title)}</text>
${yGrid(y, L, W - R, (v) => String(+v.toFixed(3)))}<text x="14" y="${T + (H - T - B) / 2}" transform="rotate(-90 14 ${T + (H - T - B) / 2})" text-anchor="middle">${esc(o.yLabel)}</text>
${ticks}${paths}${legend(o.series, L, H - 36, W - R)}</svg>`;
}

/** Grouped vertical bars: one group per label, one bar per series. */
export function barChart(o: {
  title: string;
  labels: readonly string[];
  series: readonly { name: string; color: string; values: readonly number[] }[];
  yLabel: string;
}): string {
  const groupW = Math.max(18, 8 * o.series.length + 6);
  const L = 70;
  const R = 20;
  const T = 36;
  const B = 120;
  const W = Math.max(700, L + R + groupW * o.labels.length);
  const H = 380;
  const all = o.series.flatMap((s) => s.values);
  const y = scaleLinear()
    .domain([Math.min(0, ...all), Math.max(...all, 0) || 1])
    .nice(5)
    .range([H - B, T]);
  const group = scaleBand<number>()
    .domain(o.labels.map((_, g) => g))
    .range([L, L + groupW * o.labels.length])
    .paddingInner(6 / groupW);
  const bar = scaleBand<number>()
    .domain(o.series.map((_, k) => k))
    .range([0, group.bandwidth()])
    .paddingInner(0.05);
  const bars = o.labels
    .map((lab, g) => {
      const gx = group(g) ?? L;
      const rects = o.series
        .map((s, k) => {
          const v = s.values[g] ?? 0;
          const top = Math.min(y(v), y(0));
          return `<rect x="${gx + (bar(k) ?? 0)}" y="${top}" width="${bar.bandwidth()}" height="${Math.abs(y(v) - y(0))}" fill="${s.color}"><title>${esc(lab)} · ${esc(s.name)}: ${v.toFixed(2)}</title></rect>`;
        })
        .join("");
      return `${rects}<text transform="translate(${gx + group.bandwidth() / 2},${H - B + 10}) rotate(60)" font-size="10">${esc(lab)}</text>`;
    })
    .join("");
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.title)}" font-family="sans-serif" font-size="12">
<text x="${L}" y="20" font-size="15" font-weight="bold">${esc(o.title)}</text>
${yGrid(y, L, W - R, (v) => String(Math.round(v)))}<line x1="${L}" x2="${W - R}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>
<text x="14" y="${T + (H - T - B) / 2}" transform="rotate(-90 14 ${T + (H - T - B) / 2})" text-anchor="middle">${esc(o.yLabel)}</text>
${bars}${legend(o.series, L, H - 28, W - R)}</svg>`;
}
