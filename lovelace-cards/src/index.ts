import { OpenLemBidCard } from "./cards/bid/bid-card.js";
import * as bid from "./cards/bid/const.js";
import { OpenLemCommunityCard } from "./cards/community/community-card.js";
import * as community from "./cards/community/const.js";
import * as energy from "./cards/energy/const.js";
import { OpenLemEnergyCard } from "./cards/energy/energy-card.js";
import * as price from "./cards/price/const.js";
import { OpenLemPriceCard } from "./cards/price/price-card.js";

const cards = [
  [price.CARD_TYPE, OpenLemPriceCard, price.CARD_NAME, price.CARD_DESCRIPTION],
  [energy.CARD_TYPE, OpenLemEnergyCard, energy.CARD_NAME, energy.CARD_DESCRIPTION],
  [community.CARD_TYPE, OpenLemCommunityCard, community.CARD_NAME, community.CARD_DESCRIPTION],
  [bid.CARD_TYPE, OpenLemBidCard, bid.CARD_NAME, bid.CARD_DESCRIPTION],
] as const;

window.customCards ??= [];
for (const [type, element, name, description] of cards) {
  // a second copy of the bundle (two resources) must not throw on the second define
  if (!customElements.get(type)) customElements.define(type, element);
  if (!window.customCards.some((c) => c.type === type))
    window.customCards.push({
      type,
      name,
      description,
      preview: true,
      documentationURL: "https://github.com/openlem/openlem",
    });
}

export { OpenLemBidCard, OpenLemCommunityCard, OpenLemEnergyCard, OpenLemPriceCard };
