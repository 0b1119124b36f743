import { z } from "zod";

/**
 * Identifiers appear in MQTT topics and Home Assistant entity ids, so they are
 * restricted to characters that are safe in both: no "/", "+", "#" or spaces.
 */
const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const slugRule = "lower-case letters, digits, '-' or '_', starting with a letter or digit, at most 63 characters";

export const CommunityId = z
  .string()
  .regex(SLUG, { message: `must be ${slugRule}` })
  .brand<"CommunityId">();
/** A household: the one name for who orders, trades and pays, from the engine to the cards. */
export const HouseholdId = z
  .string()
  .regex(SLUG, { message: `must be ${slugRule}` })
  .brand<"HouseholdId">();
export const MeterId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, {
  message: "must be letters, digits, '.', '_', ':' or '-', at most 64 characters",
});
export const ClientOrderId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, {
  message: "must be letters, digits, '.', '_', ':' or '-', at most 64 characters",
});

export type CommunityId = z.infer<typeof CommunityId>;
export type HouseholdId = z.infer<typeof HouseholdId>;
export type MeterId = z.infer<typeof MeterId>;
export type ClientOrderId = z.infer<typeof ClientOrderId>;

/*
 * Community and household ids are branded: a function that takes a `HouseholdId` refuses a
 * `CommunityId` (or a plain string) at compile time, so swapped arguments do not compile. Ids
 * get the brand where they come in, by parsing (REST parameters, MQTT topics, configuration).
 */

/** An id read back from where it was stored after it was parsed (the database, a book, a config). */
export const storedCommunityId = (id: string): CommunityId => id as CommunityId;
export const storedHouseholdId = (id: string): HouseholdId => id as HouseholdId;
