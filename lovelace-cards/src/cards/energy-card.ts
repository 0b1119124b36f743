import { findEntityOwner, householdEntities } from "@openlem/protocol/entities";
import { HUB_ROUTES, hubPath } from "@openlem/protocol/routes";
import { TOKEN_PREFIX } from "@openlem/protocol/tokens";
import { css, html, nothing } from "lit";
import {
  type EnergyEntities,
  type EnergyView,
  energyFromEntities,
  energyFromStatement,
  formatEnergy,
  formatMoney,
  type StatementLike,
} from "../data/energy.js";
import type { HomeAssistant } from "../hass.js";
import { locale, t } from "../i18n.js";
import { asConfig, cardStyles, configError, OpenLemCard, requireString } from "./base.js";

export interface EnergyCardConfig {
  type: string;
  entities: EnergyEntities;
  title?: string | undefined;
  currency: string;
  /** Reads weeks and months straight from the hub. */
  hub?: { url: string; token: string; community: string; household: string } | undefined;
}

type Period = "today" | "week" | "month";
const KEYS = ["bought_local", "bought_grid", "sold_local", "sold_grid", "cost", "savings"] as const;

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
    const card = "openlem-energy-card";
    const c = asConfig(card, raw);
    const household = requireString(card, c, "household");
    const given = (c.entities ?? {}) as Record<string, unknown>;
    if (typeof given !== "object" || Array.isArray(given)) throw configError(card, "entities", "must be a mapping");
    const derive: Record<(typeof KEYS)[number], ((h: string) => string) | undefined> = {
      bought_local: householdEntities.boughtLocalToday,
      bought_grid: householdEntities.boughtGridToday,
      sold_local: householdEntities.soldLocalToday,
      sold_grid: householdEntities.soldGridToday,
      cost: householdEntities.costToday,
      savings: householdEntities.savingsToday,
    };
    const entities: Record<string, string> = {};
    for (const k of KEYS) {
      const v = given[k] ?? (household ? derive[k]?.(household) : undefined);
      if (typeof v !== "string" || !v.includes("."))
        throw configError(card, `entities.${k}`, "is required (an entity id), or give household");
      entities[k] = v;
    }
    if (given.pv !== undefined && typeof given.pv !== "string")
      throw configError(card, "entities.pv", "must be an entity id");
    let hub: EnergyCardConfig["hub"];
    if (c.hub !== undefined) {
      const h = c.hub as Record<string, unknown>;
      for (const f of ["url", "token", "community", "household"])
        if (typeof h?.[f] !== "string" || h[f] === "") throw configError(card, `hub.${f}`, "is required with hub");
      // every user of this Home Assistant can read a dashboard's config: a token that can
      // place orders does not belong there
      if (!String(h.token).startsWith(TOKEN_PREFIX.read))
        throw configError(
          card,
          "hub.token",
          `must be a read-only token (${TOKEN_PREFIX.read}…); make one for the household with scope "read"`,
        );
      hub = {
        url: String(h.url),
        token: String(h.token),
        community: String(h.community),
        household: String(h.household),
      };
    }
    this.config = {
      type: String(c.type),
      entities: { ...(entities as unknown as EnergyEntities), pv: given.pv as string | undefined },
      title: requireString(card, c, "title"),
      currency: requireString(card, c, "currency") ?? "EUR",
      hub,
    };
    this.fetched = {};
  }

  protected watched(): string[] {
    const e = this.config?.entities;
    return e ? Object.values(e).filter((x): x is string => typeof x === "string") : [];
  }
  protected readonly cardRows = 5;
  protected readonly cardMinRows = 4;
  static getConfigForm() {
    return {
      schema: [
        { name: "household", selector: { text: {} } },
        { name: "title", selector: { text: {} } },
        { name: "currency", selector: { text: {} } },
        // the nested options the README shows, so such a card opens in the editor as it is
        {
          name: "entities",
          type: "expandable",
          title: "Entities",
          schema: [{ name: "pv", selector: { entity: { domain: "sensor" } } }],
        },
        {
          name: "hub",
          type: "expandable",
          title: "Weeks and months from the hub",
          schema: [
            { name: "url", selector: { text: { type: "url" } } },
            { name: "community", selector: { text: {} } },
            { name: "household", selector: { text: {} } },
            { name: "token", selector: { text: { type: "password" } } },
          ],
        },
      ],
    };
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

  protected override render() {
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
