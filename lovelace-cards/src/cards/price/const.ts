/** The card's element name, and how Home Assistant's card picker lists it. */
export const CARD_TYPE = "openlem-price-card";
export const CARD_NAME = "OpenLEM price";
export const CARD_DESCRIPTION = "Today's local price per slot against retail and feed-in, the cheapest window marked.";
