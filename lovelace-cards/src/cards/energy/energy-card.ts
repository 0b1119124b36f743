import { findEntityOwner, householdEntities } from "@openlem/protocol/entities";
import { HUB_ROUTES, hubPath } from "@openlem/protocol/routes";
import { css, html, nothing } from "lit";
import { cardStyles, OpenLemCard } from "../../shared/card-base.js";
import type { HomeAssistant } from "../../shared/hass.js";
import { locale, t } from "../../shared/i18n.js";
import { CONFIG_FORM, type EnergyCardConfig, type Period, parseEnergyCardConfig } from "./energy-config.js";
import {
  type EnergyView,
  energyFromEntities,
  energyFromStatement,
  formatEnergy,
  formatMoney,
  type StatementLike,
} from "./energy-data.js";

export class OpenLemEnergyCard extends OpenLemCard<EnergyCardConfig> {
  static override properties = { ...OpenLemCard.properties, period: { state: true }, fetched: { state: true } };
  static override styles = [
    cardStyles,
    css`
      .tabs {
        display: flex;
        gap: 4px;
        margin-bottom: 8px;
      }
      .tabs button {
        flex: 1;
        border: 1px solid var(--olm-line);
        background: none;
        color: var(--olm-text);
        border-radius: 12px;
        padding: 4px;
        cursor: pointer;
        font: inherit;
      }
      .tabs button[aria-pressed="true"] {
        background: var(--olm-accent);
        color: var(--text-primary-color, #fff);
      }
      .row {
        display: grid;
        grid-template-columns: 9em 1fr 5.5em;
        align-items: center;
        gap: 8px;
        margin: 4px 0;
      }
      .bar {
        height: 10px;
        border-radius: 5px;
        background: var(--olm-accent);
      }
      .bar.out {
        background: var(--olm-good);
      }
      .value {
        text-align: right;
      }
      .money {
        display: flex;
        justify-content: space-between;
        border-top: 1px solid var(--olm-line);
        margin-top: 8px;
        padding-top: 8px;
      }
    `,
  ];
  period: Period = "today";
  fetched: Partial<Record<Period, EnergyView | string>> = {};

  setConfig(raw: unknown): void {
    this.configure(() => parseEnergyCardConfig(raw));
    this.fetched = {};
  }

  protected watched(): string[] {
    const e = this.config?.entities;
    return e ? Object.values(e).filter((x): x is string => typeof x === "string") : [];
  }
  protected readonly cardRows = 5;
  protected readonly cardMinRows = 4;
  static getConfigForm() {
    return CONFIG_FORM;
  }
  static getStubConfig(hass: HomeAssistant) {
    const household = findEntityOwner(householdEntities.boughtLocalToday, Object.keys(hass.states)) ?? "house_1";
    return { household };
  }

  private async load(period: Period): Promise<void> {
    const hub = this.config?.hub;
    if (!hub || period === "today" || this.fetched[period]) return;
    const path = hubPath(HUB_ROUTES.statement, { communityId: hub.community, householdId: hub.household }, { period });
    const url = `${hub.url}${path}`;
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${hub.token}` } });
      if (!res.ok) throw new Error(`the hub answered ${res.status}`);
      const s = (await res.json()) as StatementLike;
      if (!Array.isArray(s.lines) || typeof s.total !== "string")
        throw new Error("the hub's answer is not a statement");
      this.fetched = { ...this.fetched, [period]: energyFromStatement(s) };
    } catch (err) {
      this.fetched = { ...this.fetched, [period]: err instanceof Error ? err.message : String(err) };
    }
  }

  private choose(p: Period) {
    this.period = p;
    void this.load(p);
  }

  protected override renderCard() {
    const c = this.config;
    if (!c || !this.hass) return nothing;
    const lang = locale(this.hass);
    const view: EnergyView | string | undefined =
      this.period === "today"
        ? energyFromEntities(this.hass, c.entities)
        : c.hub
          ? this.fetched[this.period]
          : t(this.hass, "needsHub");
    const tab = (p: Period) =>
      html`<button aria-pressed=${this.period === p ? "true" : "false"} @click=${() => this.choose(p)}>
        ${t(this.hass, p)}
      </button>`;
    return html`<ha-card>
      <div class="title"><span>${c.title ?? t(this.hass, "energy")}</span></div>
      <div class="tabs">${tab("today")}${tab("week")}${tab("month")}</div>
      ${
        typeof view === "string"
          ? html`<div class="muted">${view}</div>`
          : view === undefined
            ? html`<div class="muted">…</div>`
            : this.rows(view, lang, c.currency)
      }
    </ha-card>`;
  }

  private rows(v: EnergyView, lang: string, currency: string) {
    const max = Math.max(1, ...v.rows.map((r) => r.wh ?? 0));
    return html`${v.rows
      .filter((r) => r.key !== "ownPv" || r.wh !== null)
      .map(
        (r) => html`<div class="row" data-testid=${r.key}>
            <span>${t(this.hass, r.key)}</span>
            <div class=${r.direction < 0 ? "bar out" : "bar"} style="width:${(((r.wh ?? 0) / max) * 100).toFixed(1)}%"></div>
            <span class="value">${formatEnergy(r.wh, lang)}</span>
          </div>`,
      )}
      <div class="money">
        <span>${t(this.hass, "bill")}: <b data-testid="bill">${formatMoney(v.bill, currency, lang)}</b></span>
        <span>${t(this.hass, "savings")}: <b data-testid="savings">${formatMoney(v.savings, currency, lang)}</b></span>
      </div>`;
  }
}
