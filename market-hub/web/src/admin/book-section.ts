import type { BookCurves } from "@openlem/protocol";
import { html, type TemplateResult } from "lit";
import { kwh } from "../api.js";

/** The next open slot's order book as demand and supply step curves: where they meet, the price forms. */
export function bookSection(b: BookCurves): TemplateResult {
  const W = 320;
  const H = 150;
  const maxWh = Math.max(1, ...b.demand.map((p) => p.cumulativeWh), ...b.supply.map((p) => p.cumulativeWh));
  const prices = [...b.demand, ...b.supply].map((p) => p.price);
  const hi = Math.max(0.01, ...prices);
  const x = (wh: number) => 30 + (wh / maxWh) * (W - 40);
  const y = (p: number) => 10 + (1 - p / hi) * (H - 30);
  // step curves: each price holds until its cumulative energy
  const path = (pts: { price: number; cumulativeWh: number }[]) => {
    let prev = 0;
    return pts
      .map((p) => {
        const seg = `${x(prev)},${y(p.price)} ${x(p.cumulativeWh)},${y(p.price)}`;
        prev = p.cumulativeWh;
        return seg;
      })
      .join(" ");
  };
  return html`<section aria-labelledby="book-h" data-testid="book">
    <h2 id="book-h">Order book for ${b.slot.slice(11, 16)}</h2>
    <p class="muted">${b.buyOrders} buy and ${b.sellOrders} sell orders; where demand (blue) meets supply (green), the price forms.</p>
    <svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="demand and supply curves">
      <polyline data-testid="demand" points=${path(b.demand)} fill="none" stroke="var(--olm-accent)" stroke-width="2"></polyline>
      <polyline data-testid="supply" points=${path(b.supply)} fill="none" stroke="var(--olm-good)" stroke-width="2"></polyline>
      <text x="2" y="14">${Math.round(hi * 100)} ct</text>
      <text x=${W - 4} y=${H - 4} text-anchor="end">${kwh(maxWh)}</text>
    </svg>
  </section>`;
}
