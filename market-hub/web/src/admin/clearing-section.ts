import { type Kpis, localPriceOf, type MarketClock, type SlotResult } from "@openlem/protocol";
import { html, type TemplateResult } from "lit";
import { ct, kwh } from "../api.js";

/** How many of the latest results the table lists (the chart shows them all). */
const RESULTS_SHOWN = 12;

/** The hub's market time, clearing a slot by hand, and today's KPIs. */
export function clearingSection(o: {
  clock: MarketClock | null;
  kpis: Kpis | null;
  currency: string;
  closedSlot: string;
  onClear: (e: Event) => void;
}): TemplateResult {
  const k = o.kpis;
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)} %`);
  return html`<section aria-labelledby="clear-h" data-testid="clearing">
    <h2 id="clear-h">Clearing</h2>
    <p class="muted">
      Hub time ${o.clock?.now.slice(0, 16).replace("T", " ")} UTC; next open slot ${o.clock?.nextOpenSlot.slice(11, 16)}, its
      gate closes ${o.clock?.gateClosesAt.slice(11, 16)}. Slots clear by themselves at gate closure.
    </p>
    <form @submit=${o.onClear} aria-label="Clear a slot">
      <label>Slot (UTC start) <input name="slot" .value=${o.closedSlot} required /></label>
      <button type="submit">Clear now</button>
    </form>
    <h2 style="margin-top:12px">Today</h2>
    <p data-testid="kpis">
      Self-sufficiency ${pct(k?.selfSufficiency)} · local trade share ${pct(k?.localTradeShare)} · demand
      ${kwh(k?.demandWh ?? 0)} · savings ${k?.savings ?? "–"} ${o.currency}
    </p>
  </section>`;
}

/** Cleared results: the chart, and the latest slots as a table. */
export function resultsSection(results: readonly SlotResult[], chart: TemplateResult): TemplateResult {
  return html`<section aria-labelledby="results-h" data-testid="results">
    <h2 id="results-h">Results</h2>
    ${chart}
    <p class="muted">The latest ${RESULTS_SHOWN} slots, newest first.</p>
    <table>
      <thead><tr><th>Slot</th><th>Price</th><th>Local</th><th>From grid</th><th>To grid</th></tr></thead>
      <tbody>
        ${results
          .slice(-RESULTS_SHOWN)
          .reverse()
          .map(
            (r) => html`<tr>
              <td>${r.slot.slice(0, 16).replace("T", " ")}</td>
              <td>${ct(localPriceOf(r))}</td>
              <td>${kwh(r.markets.reduce((s, x) => s + x.localWh, 0))}</td>
              <td>${kwh(r.fromUtilityWh)}</td>
              <td>${kwh(r.toUtilityWh)}</td>
            </tr>`,
          )}
      </tbody>
    </table>
  </section>`;
}
