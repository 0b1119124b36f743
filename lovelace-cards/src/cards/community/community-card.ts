import { communityEntities, findEntityOwner } from "@openlem/protocol/entities";
import { css, html, nothing, svg } from "lit";
import { cardStyles, OpenLemCard } from "../../shared/card-base.js";
import { type HomeAssistant, numberOf } from "../../shared/hass.js";
import { locale, t } from "../../shared/i18n.js";

import { CONFIG_FORM, type CommunityCardConfig, parseCommunityCardConfig } from "./community-config.js";

/**
 * The community at a glance: how much of its demand it meets itself and trades locally, the
 * communal battery's charge, and the flows between the neighbours, the battery and the grid
 * drawn in SVG (thicker: more of it; the dashes move in the direction of the flow).
 */
export class OpenLemCommunityCard extends OpenLemCard<CommunityCardConfig> {
  static override styles = [
    cardStyles,
    css`
      .kpis {
        display: flex;
        justify-content: space-around;
        text-align: center;
      }
      .kpi b {
        display: block;
        font-size: 1.6em;
        font-weight: 400;
      }
      .flow {
        fill: none;
        stroke-dasharray: 6 4;
        animation: move 1.2s linear infinite;
      }
      @keyframes move {
        to {
          stroke-dashoffset: -10;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .flow {
          animation: none;
        }
      }
      svg circle {
        fill: var(--card-background-color, #fff);
        stroke: var(--olm-line);
        stroke-width: 2;
      }
      svg .label {
        fill: var(--olm-text);
        font-size: 11px;
      }
    `,
  ];

  setConfig(raw: unknown): void {
    this.configure(() => parseCommunityCardConfig(raw));
  }

  protected watched(): string[] {
    return this.config ? Object.values(this.config.entities).filter((x): x is string => !!x) : [];
  }
  protected readonly cardRows = 4;
  protected readonly cardMinRows = 3;
  static getConfigForm() {
    return CONFIG_FORM;
  }
  static getStubConfig(hass: HomeAssistant) {
    return { community: findEntityOwner(communityEntities.selfSufficiency, Object.keys(hass.states)) ?? "demo" };
  }

  protected override renderCard() {
    const c = this.config;
    if (!c) return nothing;
    const ss = numberOf(this.hass, c.entities.self_sufficiency);
    const lts = numberOf(this.hass, c.entities.local_trade_share);
    const soc = numberOf(this.hass, c.entities.battery_soc);
    // a battery is drawn only where Home Assistant has its entity: the hub knows no battery's
    // state, so a community without one configured gets no flow to a battery it cannot see
    const battery = !!c.entities.battery_soc && this.hass?.states[c.entities.battery_soc] !== undefined;
    const lang = locale(this.hass);
    const pct = (v: number | null) => (v === null ? "–" : `${v.toLocaleString(lang, { maximumFractionDigits: 0 })} %`);
    // line widths: what the community meets itself, and what it still takes from the grid
    const width = (share: number | null) => (share === null ? 1 : 1 + (Math.max(0, Math.min(100, share)) / 100) * 7);
    return html`<ha-card>
      <div class="title"><span>${c.title ?? t(this.hass, "community")}</span></div>
      <div class="kpis">
        <div class="kpi" data-testid="self-sufficiency"><b>${pct(ss)}</b><span class="muted">${t(this.hass, "selfSufficiency")}</span></div>
        <div class="kpi" data-testid="local-trade-share"><b>${pct(lts)}</b><span class="muted">${t(this.hass, "localTradeShare")}</span></div>
        ${battery ? html`<div class="kpi" data-testid="battery"><b>${pct(soc)}</b><span class="muted">${t(this.hass, "battery")}</span></div>` : nothing}
      </div>
      <svg viewBox="0 0 300 110" width="100%" role="img" aria-label=${t(this.hass, "community")} data-testid="flows">
        <path class="flow" data-testid="flow-local" d="M60 55 C 110 20, 190 20, 240 55" stroke="var(--olm-good)" stroke-width=${width(lts)}></path>
        <path class="flow" data-testid="flow-grid" d="M150 100 L 60 60" stroke="var(--olm-bad)" stroke-width=${width(ss === null ? null : 100 - ss)}></path>
        ${
          battery
            ? svg`<path class="flow" d="M240 60 L 150 100" stroke="var(--olm-accent)" stroke-width="2"></path>
              <rect x="228" y="30" width="24" height="50" rx="4" fill="none" stroke="var(--olm-line)" stroke-width="2"></rect>
              <rect data-testid="soc-fill" x="230" y=${32 + 46 * (1 - (soc ?? 0) / 100)} width="20" height=${(46 * (soc ?? 0)) / 100} fill="var(--olm-accent)"></rect>
              <text class="label" x="240" y="98" text-anchor="middle">${t(this.hass, "battery")}</text>`
            : // without a battery the local flow runs between neighbours on both ends
              svg`<circle cx="240" cy="55" r="18"></circle>
              <text class="label" x="240" y="59" text-anchor="middle">⌂⌂</text>
              <text class="label" x="240" y="90" text-anchor="middle">${t(this.hass, "neighbours")}</text>`
        }
        <circle cx="60" cy="55" r="18"></circle>
        <text class="label" x="60" y="59" text-anchor="middle">⌂⌂</text>
        <text class="label" x="60" y="90" text-anchor="middle">${t(this.hass, "neighbours")}</text>
        <circle cx="150" cy="95" r="10"></circle>
        <text class="label" x="150" y="80" text-anchor="middle">${t(this.hass, "grid")}</text>
      </svg>
    </ha-card>`;
  }
}
