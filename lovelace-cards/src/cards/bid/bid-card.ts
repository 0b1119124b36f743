import { communityEntities, findEntityOwner, householdEntities } from "@openlem/protocol/entities";
import { css, html, nothing } from "lit";
import { priceView } from "../../data/price.js";
import { cardStyles, OpenLemCard } from "../../shared/card-base.js";
import { type HomeAssistant, numberOf } from "../../shared/hass.js";
import { locale, t } from "../../shared/i18n.js";
import { type BidCardConfig, CONFIG_FORM, parseBidCardConfig } from "./bid-config.js";
import { bidRange, clampBid } from "./bid-range.js";

/**
 * The household's price limits as two sliders. A slider cannot leave the community's floor
 * and cap (nor the number entity's own min and max), so an out-of-range bid cannot be made;
 * on release it writes the value through `number.set_value`.
 */
export class OpenLemBidCard extends OpenLemCard<BidCardConfig> {
  static override styles = [
    cardStyles,
    css`
      label {
        display: block;
        margin-top: 8px;
      }
      .line {
        display: flex;
        justify-content: space-between;
      }
      input[type="range"] {
        width: 100%;
        accent-color: var(--olm-accent);
      }
    `,
  ];

  setConfig(raw: unknown): void {
    this.configure(() => parseBidCardConfig(raw));
  }

  protected watched(): string[] {
    return this.config ? [this.config.price_entity, this.config.max_buy_entity, this.config.min_sell_entity] : [];
  }
  protected readonly cardRows = 3;
  protected readonly cardMinRows = 3;
  static getConfigForm() {
    return CONFIG_FORM;
  }
  static getStubConfig(hass: HomeAssistant) {
    const ids = Object.keys(hass.states);
    return {
      household: findEntityOwner(householdEntities.maxBuyPrice, ids) ?? "house_1",
      community: findEntityOwner(communityEntities.price, ids) ?? "demo",
    };
  }

  private async write(entity: string, input: HTMLInputElement, range: { min: number; max: number }) {
    const value = clampBid(Number(input.value), range, this.config?.step ?? 0.01);
    input.value = String(value);
    await this.hass?.callService("number", "set_value", { entity_id: entity, value });
  }

  protected override renderCard() {
    const c = this.config;
    if (!c || !this.hass) return nothing;
    const v = priceView(this.hass.states[c.price_entity]);
    const lang = locale(this.hass);
    const ct = (p: number | null) =>
      p === null ? "–" : `${(p * 100).toLocaleString(lang, { maximumFractionDigits: 1 })} ct/kWh`;
    const slider = (key: "maxBuy" | "minSell", entity: string) => {
      const attrs = this.hass?.states[entity]?.attributes ?? {};
      const range = bidRange(
        v.floor,
        v.cap,
        typeof attrs.min === "number" ? attrs.min : null,
        typeof attrs.max === "number" ? attrs.max : null,
      );
      const value = numberOf(this.hass, entity);
      if (!range)
        return html`<label>${t(this.hass, key)}: <span class="muted">${t(this.hass, "unavailable")}</span></label>`;
      return html`<label data-testid=${key}>
        <div class="line"><span>${t(this.hass, key)}</span><b>${ct(value)}</b></div>
        <input type="range" min=${range.min} max=${range.max} step=${c.step} .value=${String(value ?? range.min)}
          aria-label=${t(this.hass, key)} @change=${(e: Event) => this.write(entity, e.target as HTMLInputElement, range)} />
      </label>`;
    };
    return html`<ha-card>
      <div class="title"><span>${c.title ?? t(this.hass, "bid")}</span></div>
      ${slider("maxBuy", c.max_buy_entity)} ${slider("minSell", c.min_sell_entity)}
      <div class="muted" data-testid="limits">${t(this.hass, "limits")}: ${ct(v.floor)} – ${ct(v.cap)}</div>
    </ha-card>`;
  }
}
