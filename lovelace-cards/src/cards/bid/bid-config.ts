import { communityEntities, householdEntities } from "@openlem/protocol/entities";
import { asConfig, configError, requireString } from "../../shared/card-base.js";
import { CARD_TYPE } from "./const.js";

export interface BidCardConfig {
  type: string;
  title?: string | undefined;
  /** The community's price sensor: its attributes carry the floor and the cap. */
  price_entity: string;
  max_buy_entity: string;
  min_sell_entity: string;
  step: number;
}

/** The card's YAML, checked: each refusal names the option and the rule (shown in the card editor). */
export function parseBidCardConfig(raw: unknown): BidCardConfig {
  const card = CARD_TYPE;
  const c = asConfig(card, raw);
  const community = requireString(card, c, "community");
  const household = requireString(card, c, "household");
  const price = requireString(card, c, "price_entity") ?? (community ? communityEntities.price(community) : undefined);
  const buy =
    requireString(card, c, "max_buy_entity") ?? (household ? householdEntities.maxBuyPrice(household) : undefined);
  const sell =
    requireString(card, c, "min_sell_entity") ?? (household ? householdEntities.minSellPrice(household) : undefined);
  if (!price)
    throw configError(card, "community", "is required (or price_entity): the floor and cap come from its price sensor");
  if (!buy || !sell) throw configError(card, "household", "is required (or max_buy_entity and min_sell_entity)");
  for (const [f, id] of [
    ["max_buy_entity", buy],
    ["min_sell_entity", sell],
  ] as const)
    if (!id.startsWith("number.")) throw configError(card, f, "must be a number entity");
  const step = c.step ?? 0.01;
  if (typeof step !== "number" || !(step > 0)) throw configError(card, "step", "must be a positive number");
  return {
    type: String(c.type),
    title: requireString(card, c, "title"),
    price_entity: price,
    max_buy_entity: buy,
    min_sell_entity: sell,
    step,
  };
}

/** The visual editor's form (Home Assistant's ha-form schema). */
export const CONFIG_FORM = {
  schema: [
    { name: "community", required: true, selector: { text: {} } },
    { name: "household", required: true, selector: { text: {} } },
    { name: "title", selector: { text: {} } },
  ],
};
