/** The card's element name, and how Home Assistant's card picker lists it. */
export const CARD_TYPE = "openlem-community-card";
export const CARD_NAME = "OpenLEM community";
export const CARD_DESCRIPTION = "Self-sufficiency, local trade share, the community battery and live flows.";
