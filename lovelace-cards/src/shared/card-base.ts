import { css, LitElement, type PropertyValues } from "lit";
import type { HomeAssistant } from "./hass.js";

/** Home Assistant's look: its theme variables (light and dark) with fallbacks for plain pages. */
export const cardStyles = css`
  :host {
    --olm-text: var(--primary-text-color, #212121);
    --olm-muted: var(--secondary-text-color, #727272);
    --olm-accent: var(--primary-color, #03a9f4);
    --olm-line: var(--divider-color, rgba(0, 0, 0, 0.12));
    --olm-good: var(--success-color, #43a047);
    --olm-warn: var(--warning-color, #ffa600);
    --olm-bad: var(--error-color, #db4437);
    display: block;
  }
  ha-card {
    padding: 16px;
    color: var(--olm-text);
  }
  .title {
    font-size: 1.1em;
    font-weight: 500;
    margin-bottom: 8px;
    display: flex;
    justify-content: space-between;
    align-items: baseline;
    gap: 8px;
  }
  .muted {
    color: var(--olm-muted);
    font-size: 0.9em;
  }
  svg text {
    fill: var(--olm-muted);
    font-size: 10px;
    font-family: inherit;
  }
`;

/**
 * What every OpenLEM card shares: Home Assistant sets `hass` on every state change and calls
 * `setConfig` with the card's YAML; a card renders again only when an entity it shows changed.
 */
export abstract class OpenLemCard<C> extends LitElement {
  static override properties = { hass: { attribute: false }, config: { state: true } };
  hass: HomeAssistant | undefined;
  config: C | undefined;

  /** Its height in dashboard rows (masonry and sections views), and the least it needs. */
  protected abstract readonly cardRows: number;
  protected abstract readonly cardMinRows: number;

  abstract setConfig(config: unknown): void;

  getCardSize(): number {
    return this.cardRows;
  }

  getGridOptions() {
    return { columns: 12, rows: this.cardRows, min_columns: 6, min_rows: this.cardMinRows };
  }
  /** The entities whose changes redraw the card. */
  protected abstract watched(): string[];

  protected override shouldUpdate(changed: PropertyValues<this>): boolean {
    if (changed.has("config")) return true;
    const old = changed.get("hass") as HomeAssistant | undefined;
    if (!old || !this.hass) return true;
    if (old.themes?.darkMode !== this.hass.themes?.darkMode || old.locale?.language !== this.hass.locale?.language)
      return true;
    return this.watched().some((id) => old.states[id] !== this.hass?.states[id]);
  }
}

/** setConfig's error: Home Assistant shows its message in place of the card. */
export function configError(card: string, field: string, rule: string): Error {
  return new Error(`${card}: ${field} ${rule}`);
}

export function requireString(card: string, config: Record<string, unknown>, field: string): string | undefined {
  const v = config[field];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw configError(card, field, "must be a text");
  return v;
}

export function asConfig(card: string, config: unknown): Record<string, unknown> {
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw configError(card, "config", `must be a mapping, e.g. type: custom:${card}`);
  return config as Record<string, unknown>;
}
