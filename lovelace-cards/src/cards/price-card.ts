import { communityEntities } from "@openlem/protocol/entities";
import { html, nothing, svg } from "lit";
import {
  cheapestWindow,
  currentIndex,
  localDayStart,
  type PriceSlot,
  priceView,
  todayAndTomorrow,
} from "../data/price.js";
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

const W = 320;
const H = 140;
const PAD = { left: 28, right: 6, top: 8, bottom: 18 };

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

  getCardSize(): number {
    return 4;
  }
  getGridOptions() {
    return { columns: 12, rows: 4, min_columns: 6, min_rows: 3 };
  }
  static getConfigForm() {
    return {
      schema: [
        { name: "entity", required: true, selector: { entity: { domain: "sensor" } } },
        { name: "title", selector: { text: {} } },
        { name: "window_hours", selector: { number: { min: 0.25, max: 24, step: 0.25, mode: "box" } } },
      ],
    };
  }
  static getStubConfig(hass: HomeAssistant) {
    const entity =
      Object.keys(hass.states).find((id) => /^sensor\.openlem_.+_price$/.test(id)) ?? "sensor.openlem_demo_price";
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
    const values = slots.map((s) => s.value);
    const lines = [v.retail, v.feedIn].filter((x): x is number => x !== null);
    const hi = Math.max(...values, ...lines, 0);
    const lo = Math.min(...values, ...lines, 0);
    const span = hi - lo || 1;
    const x0 = PAD.left;
    const cw = W - PAD.left - PAD.right;
    const ch = H - PAD.top - PAD.bottom;
    const bw = cw / slots.length;
    const y = (p: number) => PAD.top + ((hi - p) / span) * ch;
    const cur = currentIndex(slots, nowMs, v.slotMinutes);
    const win = cheapestWindow(
      slots,
      Math.max(1, Math.round((c.window_hours * 60) / v.slotMinutes)),
      nowMs,
      v.slotMinutes,
    );
    const dayStart = localDayStart(nowMs);
    const tomorrow = slots.findIndex((s) => s.startMs >= dayStart + 86_400_000);
    const lang = locale(this.hass);
    const hour = (ms: number) => new Date(ms).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    return html`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label=${t(this.hass, "price")}>
        ${
          win
            ? svg`<rect data-testid="cheapest" x=${x0 + win[0] * bw} y=${PAD.top} width=${(win[1] - win[0] + 1) * bw} height=${ch}
                fill="var(--olm-good)" opacity="0.15"></rect>`
            : nothing
        }
        ${slots.map((s, i) => {
          const top = y(Math.max(0, s.value));
          const h = Math.max(1, Math.abs(y(s.value) - y(0)));
          return svg`<rect class=${i === cur ? "bar current" : "bar"} x=${x0 + i * bw + 0.5} y=${top} width=${Math.max(0.5, bw - 1)} height=${h}
            fill=${i === cur ? "var(--olm-warn)" : "var(--olm-accent)"} opacity=${s.kind === "forecast" ? 0.55 : 1}></rect>`;
        })}
        ${
          v.retail !== null
            ? svg`<line data-testid="retail" x1=${x0} x2=${W - PAD.right} y1=${y(v.retail)} y2=${y(v.retail)} stroke="var(--olm-bad)" stroke-dasharray="4 3"></line>
              <text x=${W - PAD.right} y=${y(v.retail) - 2} text-anchor="end">${t(this.hass, "retail")}</text>`
            : nothing
        }
        ${
          v.feedIn !== null
            ? svg`<line data-testid="feed-in" x1=${x0} x2=${W - PAD.right} y1=${y(v.feedIn)} y2=${y(v.feedIn)} stroke="var(--olm-good)" stroke-dasharray="4 3"></line>
              <text x=${W - PAD.right} y=${y(v.feedIn) + 10} text-anchor="end">${t(this.hass, "feedIn")}</text>`
            : nothing
        }
        ${
          tomorrow > 0
            ? svg`<line x1=${x0 + tomorrow * bw} x2=${x0 + tomorrow * bw} y1=${PAD.top} y2=${H - PAD.bottom} stroke="var(--olm-line)"></line>
              <text x=${x0 + tomorrow * bw + 2} y=${PAD.top + 8}>${t(this.hass, "tomorrow")}</text>`
            : nothing
        }
        <text x=${x0 - 3} y=${y(hi) + 8} text-anchor="end">${Math.round(hi * 100)}</text>
        <text x=${x0 - 3} y=${y(lo)} text-anchor="end">${Math.round(lo * 100)}</text>
        <text x=${x0} y=${H - 4}>${hour((slots[0] as PriceSlot).startMs)}</text>
        <text x=${W - PAD.right} y=${H - 4} text-anchor="end">${hour((slots.at(-1) as PriceSlot).startMs)}</text>
      </svg>
      ${
        win
          ? html`<div class="muted" data-testid="window">
              ${t(this.hass, "cheapest")}: ${hour((slots[win[0]] as PriceSlot).startMs)}–${hour((slots[win[1]] as PriceSlot).startMs + v.slotMinutes * 60_000)}
            </div>`
          : nothing
      }`;
  }
}
