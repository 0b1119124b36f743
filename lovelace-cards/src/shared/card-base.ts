import { css, html, LitElement, type nothing, type PropertyValues, type TemplateResult } from "lit";
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
  .problem {
    color: var(--olm-bad);
    border-left: 4px solid var(--olm-bad);
    padding: 4px 8px;
  }
`;

/**
 * What every OpenLEM card shares: Home Assistant sets `hass` on every state change and calls
 * `setConfig` with the card's YAML; a card renders again only when an entity it shows changed.
 */
export abstract class OpenLemCard<C> extends LitElement {
  static override properties = { hass: { attribute: false }, config: { state: true }, problem: { state: true } };
  hass: HomeAssistant | undefined;
  config: C | undefined;
  /** What is wrong with the config, shown inside the card; null when it is fine. */
  problem: string | null = null;

  /** Its height in dashboard rows (masonry and sections views), and the least it needs. */
  protected abstract readonly cardRows: number;
  protected abstract readonly cardMinRows: number;

  abstract setConfig(config: unknown): void;

  /**
   * Takes a config through the card's parser. A config it refuses shows inside the card, the
   * field and the rule and never the values: Home Assistant's own error card prints the whole
   * config (a token in it included) on some releases and no reason on others.
   */
  protected configure(parse: () => C): void {
    try {
      this.config = parse();
      this.problem = null;
    } catch (err) {
      this.config = undefined;
      this.problem = err instanceof Error ? err.message : String(err);
    }
  }

  /** The card itself, once its config is taken. */
  protected abstract renderCard(): TemplateResult | typeof nothing;

  protected override render() {
    if (this.problem)
      return html`<ha-card><div class="problem" role="alert" data-testid="config-problem">${this.problem}</div></ha-card>`;
    return this.renderCard();
  }

  getCardSize(): number {
    return this.cardRows;
  }

  getGridOptions() {
    return { columns: 12, rows: this.cardRows, min_columns: 6, min_rows: this.cardMinRows };
  }
  /** The entities whose changes redraw the card. */
  protected abstract watched(): string[];

  protected override shouldUpdate(changed: PropertyValues<this>): boolean {
    if (changed.has("config") || changed.has("problem")) return true;
    const old = changed.get("hass") as HomeAssistant | undefined;
    if (!old || !this.hass) return true;
    if (old.themes?.darkMode !== this.hass.themes?.darkMode || old.locale?.language !== this.hass.locale?.language)
      return true;
    return this.watched().some((id) => old.states[id] !== this.hass?.states[id]);
  }
}

/** A config's problem: the card shows its message in its place. */
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
