/** The card's element name, and how Home Assistant's card picker lists it. */
export const CARD_TYPE = "openlem-bid-card";
export const CARD_NAME = "OpenLEM price limits";
export const CARD_DESCRIPTION = "Set your maximum buy and minimum sell price within the community's limits.";
