/** The part of Home Assistant's `hass` object the cards use. */
export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_updated?: string;
}

export interface HomeAssistant {
  states: Record<string, HassEntity | undefined>;
  themes?: { darkMode?: boolean };
  locale?: { language?: string };
  /** Home Assistant's own settings: its time zone among them. */
  config?: { time_zone?: string };
  language?: string;
  callService(domain: string, service: string, data?: Record<string, unknown>): Promise<unknown>;
}

/** A numeric state, or null when the entity is missing, unavailable or unknown. */
export function numberOf(hass: HomeAssistant | undefined, entityId: string | undefined): number | null {
  if (!hass || !entityId) return null;
  const s = hass.states[entityId]?.state;
  if (s === undefined || s === "" || s === "unavailable" || s === "unknown") return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Lovelace's card registry, read by the card picker. */
export interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview?: boolean;
  documentationURL?: string;
}
declare global {
  interface Window {
    customCards?: CustomCardEntry[];
  }
}
