import { communityEntities } from "@openlem/protocol/entities";
import { asConfig, configError, requireString } from "../../shared/card-base.js";
import { CARD_TYPE } from "./const.js";

export interface CommunityCardConfig {
  type: string;
  title?: string | undefined;
  entities: { self_sufficiency: string; local_trade_share: string; battery_soc?: string | undefined };
}

/** The card's YAML, checked: each refusal names the option and the rule (shown in the card editor). */
export function parseCommunityCardConfig(raw: unknown): CommunityCardConfig {
  const card = CARD_TYPE;
  const c = asConfig(card, raw);
  const community = requireString(card, c, "community");
  const given = (c.entities ?? {}) as Record<string, unknown>;
  const pick = (k: string, derive?: (c: string) => string) => {
    const v = given[k] ?? (community && derive ? derive(community) : undefined);
    if (v !== undefined && (typeof v !== "string" || !v.includes(".")))
      throw configError(card, `entities.${k}`, "must be an entity id");
    return v as string | undefined;
  };
  const selfSufficiency = pick("self_sufficiency", communityEntities.selfSufficiency);
  const localTradeShare = pick("local_trade_share", communityEntities.localTradeShare);
  if (!selfSufficiency || !localTradeShare)
    throw configError(
      card,
      "community",
      "is required (the community's id), or give entities.self_sufficiency and entities.local_trade_share",
    );
  return {
    type: String(c.type),
    title: requireString(card, c, "title"),
    entities: {
      self_sufficiency: selfSufficiency,
      local_trade_share: localTradeShare,
      battery_soc: pick("battery_soc", communityEntities.batterySoc),
    },
  };
}

/** The visual editor's form (Home Assistant's ha-form schema). */
export const CONFIG_FORM = {
  schema: [
    { name: "community", required: true, selector: { text: {} } },
    { name: "title", selector: { text: {} } },
  ],
};
