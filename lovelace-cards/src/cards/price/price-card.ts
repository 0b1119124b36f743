import { DAY_MS, slotMs } from "@openlem/protocol/durations";
import { communityEntities, findEntityOwner } from "@openlem/protocol/entities";
import { html, nothing } from "lit";
import { priceChart } from "../../charts/price-chart.js";
import {
  cheapestWindow,
  drawingZone,
  localDayStart,
  type PriceSlot,
  priceView,
  todayAndTomorrow,
} from "../../data/price.js";
import { cardStyles, OpenLemCard } from "../../shared/card-base.js";
import type { HassEntity, HomeAssistant } from "../../shared/hass.js";
import { locale, t } from "../../shared/i18n.js";

import { CONFIG_FORM, type PriceCardConfig, parsePriceCardConfig } from "./price-config.js";

export class OpenLemPriceCard extends OpenLemCard<PriceCardConfig> {
  static override styles = cardStyles;
  /** For tests and screenshots: the time the card treats as now (default: the clock). */
  now: (() => number) | undefined;

  setConfig(raw: unknown): void {
    this.configure(() => parsePriceCardConfig(raw));
  }

  protected watched(): string[] {
    return this.config ? [this.config.entity] : [];
  }

  protected readonly cardRows = 4;
  protected readonly cardMinRows = 3;
  static getConfigForm() {
    return CONFIG_FORM;
  }
  static getStubConfig(hass: HomeAssistant) {
    const community = findEntityOwner(communityEntities.price, Object.keys(hass.states)) ?? "demo";
    const entity = communityEntities.price(community);
    return { entity, window_hours: 2 };
  }

  protected override renderCard() {
    const c = this.config;
    if (!c) return nothing;
    const entity: HassEntity | undefined = this.hass?.states[c.entity];
    const v = priceView(entity);
    const lang = locale(this.hass);
    const nowMs = this.now?.() ?? Date.now();
    const slots = todayAndTomorrow(
      v.slots,
      localDayStart(nowMs, drawingZone(v.timeZone, this.hass?.config?.time_zone)),
    );
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
    // the community's calendar, whatever zone the browser is in
    const timeZone = drawingZone(v.timeZone, this.hass?.config?.time_zone);
    const dayStart = localDayStart(nowMs, timeZone);
    const lang = locale(this.hass);
    const hour = (ms: number) =>
      new Date(ms).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", timeZone });
    const len = slotMs(v.slotMinutes);
    return html`${priceChart({
      slots,
      slotMs: len,
      // from the first slot known (the one under way) to the end of tomorrow: a slot the hub
      // has not priced shows as a gap where it belongs
      domain: [Math.min((slots[0] as PriceSlot).startMs, nowMs), dayStart + 2 * DAY_MS],
      retail: v.retail,
      feedIn: v.feedIn,
      nowMs,
      window: win ? [(slots[win[0]] as PriceSlot).startMs, (slots[win[1]] as PriceSlot).startMs + len] : null,
      nextDayMs: dayStart + DAY_MS,
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
        localDayStart(ms, timeZone) === ms
          ? new Date(ms).toLocaleDateString(lang, { weekday: "short", timeZone })
          : new Date(ms).toLocaleTimeString(lang, { hour: "numeric", timeZone }),
      timeZone,
    })}
      ${
        win
          ? html`<div class="muted" data-testid="window">
              ${t(this.hass, "cheapest")}: ${hour((slots[win[0]] as PriceSlot).startMs)}–${hour((slots[win[1]] as PriceSlot).startMs + slotMs(v.slotMinutes))}
            </div>`
          : nothing
      }`;
  }
}
