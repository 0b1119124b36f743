/** Minimal SVG charts for the HTML report: no scripts, no dependencies, readable offline. */

export interface LineSeries {
  name: string;
  color: string;
  values: readonly number[];
  dashed?: boolean;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function legend(series: readonly { name: string; color: string; dashed?: boolean }[], x: number, y: number): string {
  return series
    .map(
      (s, i) =>
        `<g transform="translate(${x + i * 190},${y})"><line x1="0" y1="0" x2="22" y2="0" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/><text x="28" y="4">${esc(s.name)}</text></g>`,
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
  const yMax = niceMax(Math.max(...all, yMin + 1e-9));
  const n = Math.max(1, ...o.series.map((s) => s.values.length));
  const x = (i: number) => L + ((W - L - R) * i) / Math.max(1, n - 1);
  const y = (v: number) => T + (H - T - B) * (1 - (v - yMin) / (yMax - yMin));
  const grid: string[] = [];
  for (let k = 0; k <= 5; k++) {
    const v = yMin + ((yMax - yMin) * k) / 5;
    grid.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toFixed(3)}</text>`,
    );
  }
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
${grid.join("")}<text x="14" y="${T + (H - T - B) / 2}" transform="rotate(-90 14 ${T + (H - T - B) / 2})" text-anchor="middle">${esc(o.yLabel)}</text>
${ticks}${paths}${legend(o.series, L, H - 22)}</svg>`;
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
  const lo = Math.min(0, ...all);
  const hi = niceMax(Math.max(...all, 0));
  const y = (v: number) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  const bw = (groupW - 6) / o.series.length;
  const bars = o.labels
    .map((lab, g) => {
      const gx = L + g * groupW + 3;
      const rects = o.series
        .map((s, k) => {
          const v = s.values[g] ?? 0;
          const top = Math.min(y(v), y(0));
          return `<rect x="${gx + k * bw}" y="${top}" width="${bw - 1}" height="${Math.abs(y(v) - y(0))}" fill="${s.color}"><title>${esc(lab)} · ${esc(s.name)}: ${v.toFixed(2)}</title></rect>`;
        })
        .join("");
      return `${rects}<text transform="translate(${gx + groupW / 2},${H - B + 10}) rotate(60)" font-size="10">${esc(lab)}</text>`;
    })
    .join("");
  const grid: string[] = [];
  for (let k = 0; k <= 5; k++) {
    const v = lo + ((hi - lo) * k) / 5;
    grid.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`,
    );
  }
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.title)}" font-family="sans-serif" font-size="12">
<text x="${L}" y="20" font-size="15" font-weight="bold">${esc(o.title)}</text>
${grid.join("")}<line x1="${L}" x2="${W - R}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>
<text x="14" y="${T + (H - T - B) / 2}" transform="rotate(-90 14 ${T + (H - T - B) / 2})" text-anchor="middle">${esc(o.yLabel)}</text>
${bars}${legend(o.series, L, H - 16)}</svg>`;
}
