/** The card's element name, and how Home Assistant's card picker lists it. */
export const CARD_TYPE = "openlem-energy-card";
export const CARD_NAME = "OpenLEM energy";
export const CARD_DESCRIPTION = "Your energy bought and sold locally and with the grid, your bill and savings.";
