import type { MarketConfig, StandingPreference } from "@openlem/protocol";
import { html, type TemplateResult } from "lit";
import { ct } from "../api.js";

/**
 * The household's standing price limits as two sliders inside the community's floor and cap:
 * the ones the hub keeps (which the Home Assistant bridge and its bid card use too), else the
 * utility's prices.
 */
export function preferencesSection(
  m: MarketConfig,
  p: StandingPreference | null,
  onSave: (e: Event) => void,
): TemplateResult {
  // the output sits beside the label: inside it, it would take the label from the slider
  const slider = (name: string, label: string, value: number) =>
    html`<div>
      <label for=${`pref-${name}`}>${label}</label>: <output for=${`pref-${name}`}>${ct(value)}</output>
      <input id=${`pref-${name}`} name=${name} type="range" min=${m.priceFloor} max=${m.priceCap} step="0.01"
        .value=${String(value)} style="width:100%"
        @input=${(e: Event) => {
          const el = e.target as HTMLInputElement;
          const out = el.parentElement?.querySelector("output");
          if (out) out.textContent = ct(Number(el.value));
        }} />
    </div>`;
  return html`<section aria-labelledby="pref-h" data-testid="preferences">
    <h2 id="pref-h">My price limits</h2>
    <form @submit=${onSave}>
      ${slider("maxBuyPrice", "Pay at most", p?.maxBuyPrice ?? Math.min(m.priceCap, m.retailPrice))}
      ${slider("minSellPrice", "Sell for at least", p?.minSellPrice ?? Math.max(m.priceFloor, m.feedInTariff))}
      <p class="muted">Between the community's floor ${ct(m.priceFloor)} and cap ${ct(m.priceCap)}.</p>
      <button type="submit">Save limits</button>
    </form>
  </section>`;
}
