/**
 * What a household token may do: `device` runs the household's devices and bridges (orders,
 * readings, limits); `read` only reads its data, for dashboards such as the energy card.
 * Kept free of zod so that the cards can tell the two apart without bundling schemas.
 */
export const TOKEN_SCOPES = ["device", "read"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** How each scope's tokens start, so a token shows what it may do wherever it is pasted. */
export const TOKEN_PREFIX = { device: "olm_dev_", read: "olm_read_" } as const satisfies Record<TokenScope, string>;

/** Whether a bearer token is a household's (device or read-only), as opposed to a person's access token. */
export const isHouseholdToken = (token: string): boolean =>
  Object.values(TOKEN_PREFIX).some((prefix) => token.startsWith(prefix));
