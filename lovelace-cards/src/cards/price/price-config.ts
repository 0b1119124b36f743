import { communityEntities } from "@openlem/protocol/entities";
import { asConfig, configError, requireString } from "../../shared/card-base.js";
import { CARD_TYPE } from "./const.js";

export interface PriceCardConfig {
  type: string;
  entity: string;
  title?: string | undefined;
  /** Length of the cheapest window to mark, in hours (default 2). */
  window_hours: number;
}

/** The card's YAML, checked: each refusal names the option and the rule (shown in the card editor). */
export function parsePriceCardConfig(raw: unknown): PriceCardConfig {
  const c = asConfig(CARD_TYPE, raw);
  const entity = requireString(CARD_TYPE, c, "entity");
  const community = requireString(CARD_TYPE, c, "community");
  const id = entity ?? (community ? communityEntities.price(community) : undefined);
  if (!id) throw configError(CARD_TYPE, "entity", "is required (the community's price sensor), or give community");
  if (!id.startsWith("sensor.")) throw configError(CARD_TYPE, "entity", "must be a sensor");
  const hours = c.window_hours ?? 2;
  if (typeof hours !== "number" || !(hours > 0 && hours <= 24))
    throw configError(CARD_TYPE, "window_hours", "must be a number of hours from 0 to 24");
  return {
    type: String(c.type),
    entity: id,
    title: requireString(CARD_TYPE, c, "title"),
    window_hours: hours,
  };
}

/** The visual editor's form (Home Assistant's ha-form schema). */
export const CONFIG_FORM = {
  schema: [
    // either: a card written as `community: demo` opens in the editor as it is
    { name: "community", selector: { text: {} } },
    { name: "entity", selector: { entity: { domain: "sensor" } } },
    { name: "title", selector: { text: {} } },
    { name: "window_hours", selector: { number: { min: 0.25, max: 24, step: 0.25, mode: "box" } } },
  ],
};
