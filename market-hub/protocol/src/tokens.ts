/**
 * What a household token may do: `device` runs the household's devices and bridges (orders,
 * readings, limits); `read` only reads its data, for dashboards such as the energy card;
 * `home-assistant` is Home Assistant's MQTT login on the hub's broker (and the bridge's, for
 * the household's entities): it reads what the household may, publishes the household's
 * Home Assistant entities and their `set` topics, and places no orders or readings. Kept free
 * of zod so that the cards can tell them apart without bundling schemas.
 */
export const TOKEN_SCOPES = ["device", "read", "home-assistant"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** How each scope's tokens start, so a token shows what it may do wherever it is pasted. */
export const TOKEN_PREFIX = {
  device: "olm_dev_",
  read: "olm_read_",
  "home-assistant": "olm_ha_",
} as const satisfies Record<TokenScope, string>;

/** Each scope's short name, as the pages list tokens. */
export const TOKEN_SCOPE_NAME = {
  device: "device",
  read: "read-only",
  "home-assistant": "Home Assistant",
} as const satisfies Record<TokenScope, string>;

/** What each scope is for, in the words the pages offer them. */
export const TOKEN_SCOPE_LABEL = {
  device: "device: the bridge or Node-RED (orders, readings, limits)",
  read: "read-only: dashboards and cards",
  "home-assistant": "Home Assistant: its MQTT login on the hub's broker",
} as const satisfies Record<TokenScope, string>;

/** Whether a bearer token is a household's (device or read-only), as opposed to a person's access token. */
export const isHouseholdToken = (token: string): boolean =>
  Object.values(TOKEN_PREFIX).some((prefix) => token.startsWith(prefix));
