import { householdEntities } from "@openlem/protocol/entities";
import { TOKEN_PREFIX } from "@openlem/protocol/tokens";
import { asConfig, configError, requireString } from "../../shared/card-base.js";
import { CARD_TYPE } from "./const.js";
import type { EnergyEntities } from "./energy-data.js";

export interface EnergyCardConfig {
  type: string;
  entities: EnergyEntities;
  title?: string | undefined;
  currency: string;
  /** Reads weeks and months straight from the hub. */
  hub?: { url: string; token: string; community: string; household: string } | undefined;
}

/** The periods the card shows: today from the sensors, weeks and months from the hub. */
export type Period = "today" | "week" | "month";
const KEYS = ["bought_local", "bought_grid", "sold_local", "sold_grid", "cost", "savings"] as const;

/** The card's YAML, checked: each refusal names the option and the rule (shown in the card editor). */
export function parseEnergyCardConfig(raw: unknown): EnergyCardConfig {
  const card = CARD_TYPE;
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
  return {
    type: String(c.type),
    entities: { ...(entities as unknown as EnergyEntities), pv: given.pv as string | undefined },
    title: requireString(card, c, "title"),
    currency: requireString(card, c, "currency") ?? "EUR",
    hub,
  };
}

/** The visual editor's form (Home Assistant's ha-form schema). */
export const CONFIG_FORM = {
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
