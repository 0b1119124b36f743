import { communityEntities, findEntityOwner } from "@openlem/protocol/entities";
import { html, nothing } from "lit";
import { priceChart } from "../charts/price-chart.js";
import { cheapestWindow, localDayStart, type PriceSlot, priceView, todayAndTomorrow } from "../data/price.js";
import type { HassEntity, HomeAssistant } from "../hass.js";
import { locale, t } from "../i18n.js";
import { asConfig, cardStyles, configError, OpenLemCard, requireString } from "./base.js";

export interface PriceCardConfig {
  type: string;
  entity: string;
  title?: string | undefined;
  /** Length of the cheapest window to mark, in hours (default 2). */
  window_hours: number;
}

export class OpenLemPriceCard extends OpenLemCard<PriceCardConfig> {
  static override styles = cardStyles;
  /** For tests and screenshots: the time the card treats as now (default: the clock). */
  now: (() => number) | undefined;

  setConfig(raw: unknown): void {
    const c = asConfig("openlem-price-card", raw);
    const entity = requireString("openlem-price-card", c, "entity");
    const community = requireString("openlem-price-card", c, "community");
    const id = entity ?? (community ? communityEntities.price(community) : undefined);
    if (!id)
      throw configError(
        "openlem-price-card",
        "entity",
        "is required (the community's price sensor), or give community",
      );
    if (!id.startsWith("sensor.")) throw configError("openlem-price-card", "entity", "must be a sensor");
    const hours = c.window_hours ?? 2;
    if (typeof hours !== "number" || !(hours > 0 && hours <= 24))
      throw configError("openlem-price-card", "window_hours", "must be a number of hours from 0 to 24");
    this.config = {
      type: String(c.type),
      entity: id,
      title: requireString("openlem-price-card", c, "title"),
      window_hours: hours,
    };
  }

  protected watched(): string[] {
    return this.config ? [this.config.entity] : [];
  }

  protected readonly cardRows = 4;
  protected readonly cardMinRows = 3;
  static getConfigForm() {
    return {
      schema: [
        // either: a card written as `community: demo` opens in the editor as it is
        { name: "community", selector: { text: {} } },
        { name: "entity", selector: { entity: { domain: "sensor" } } },
        { name: "title", selector: { text: {} } },
        { name: "window_hours", selector: { number: { min: 0.25, max: 24, step: 0.25, mode: "box" } } },
      ],
    };
  }
  static getStubConfig(hass: HomeAssistant) {
    const community = findEntityOwner(communityEntities.price, Object.keys(hass.states)) ?? "demo";
    const entity = communityEntities.price(community);
    return { entity, window_hours: 2 };
  }

  protected override render() {
    const c = this.config;
    if (!c) return nothing;
    const entity: HassEntity | undefined = this.hass?.states[c.entity];
    const v = priceView(entity);
    const lang = locale(this.hass);
    const nowMs = this.now?.() ?? Date.now();
    const slots = todayAndTomorrow(v.slots, localDayStart(nowMs));
    const ct = (p: number | null) =>
      p === null ? "–" : `${(p * 100).toLocaleString(lang, { maximumFractionDigits: 1 })} ct`;
    return html`<ha-card>
      <div class="title">
        <span>${c.title ?? t(this.hass, "price")}</span>
        <span class="now" data-testid="current">${ct(v.current)}/kWh</span>
      </div>
      ${
        slots.length === 0
          ? html`<div class="muted" data-testid="empty">${entity ? t(this.hass, "noPrice") : `${c.entity}: ${t(this.hass, "unavailable")}`}</div>`
          : this.chart(slots, v, nowMs)
      }
    </ha-card>`;
  }

  private chart(slots: PriceSlot[], v: ReturnType<typeof priceView>, nowMs: number) {
    const c = this.config as PriceCardConfig;
    const win = cheapestWindow(
      slots,
      Math.max(1, Math.round((c.window_hours * 60) / v.slotMinutes)),
      nowMs,
      v.slotMinutes,
    );
    const dayStart = localDayStart(nowMs);
    const lang = locale(this.hass);
    const hour = (ms: number) => new Date(ms).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    const slotMs = v.slotMinutes * 60_000;
    return html`${priceChart({
      slots,
      slotMs,
      // from the first slot known (the one under way) to the end of tomorrow: a slot the hub
      // has not priced shows as a gap where it belongs
      domain: [Math.min((slots[0] as PriceSlot).startMs, nowMs), dayStart + 2 * 86_400_000],
      retail: v.retail,
      feedIn: v.feedIn,
      nowMs,
      window: win ? [(slots[win[0]] as PriceSlot).startMs, (slots[win[1]] as PriceSlot).startMs + slotMs] : null,
      nextDayMs: dayStart + 86_400_000,
      labels: {
        title: t(this.hass, "price"),
        retail: t(this.hass, "retail"),
        feedIn: t(this.hass, "feedIn"),
        nextDay: t(this.hass, "tomorrow"),
        noData: t(this.hass, "noData"),
      },
      time: hour,
      // a day's start is named by its weekday, other ticks by their hour
      tick: (ms) =>
        localDayStart(ms) === ms
          ? new Date(ms).toLocaleDateString(lang, { weekday: "short" })
          : new Date(ms).toLocaleTimeString(lang, { hour: "numeric" }),
    })}
      ${
        win
          ? html`<div class="muted" data-testid="window">
              ${t(this.hass, "cheapest")}: ${hour((slots[win[0]] as PriceSlot).startMs)}–${hour((slots[win[1]] as PriceSlot).startMs + v.slotMinutes * 60_000)}
            </div>`
          : nothing
      }`;
  }
}
