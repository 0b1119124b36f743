import { OpenLemBidCard } from "./cards/bid-card.js";
import { OpenLemCommunityCard } from "./cards/community-card.js";
import { OpenLemEnergyCard } from "./cards/energy-card.js";
import { OpenLemPriceCard } from "./cards/price-card.js";

const cards = [
  [
    "openlem-price-card",
    OpenLemPriceCard,
    "OpenLEM price",
    "Today's local price per slot against retail and feed-in, the cheapest window marked.",
  ],
  [
    "openlem-energy-card",
    OpenLemEnergyCard,
    "OpenLEM energy",
    "Your energy bought and sold locally and with the grid, your bill and savings.",
  ],
  [
    "openlem-community-card",
    OpenLemCommunityCard,
    "OpenLEM community",
    "Self-sufficiency, local trade share, the community battery and live flows.",
  ],
  [
    "openlem-bid-card",
    OpenLemBidCard,
    "OpenLEM price limits",
    "Set your maximum buy and minimum sell price within the community's limits.",
  ],
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
