/** Durations in ms, named once (zod-free: the cards use them too, as `@openlem/protocol/durations`). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** A day of 24 hours: for UTC arithmetic. Local days can have 23 or 25 (see slotsInLocalDay). */
export const DAY_MS = 86_400_000;

/** A slot's length in ms. */
export function slotMs(slotMinutes: number): number {
  return slotMinutes * MINUTE_MS;
}

/** The start (ms) of the slot that holds the instant `atMs`: slots are aligned to the UTC epoch. */
export function slotStartMs(atMs: number, slotMinutes: number): number {
  const len = slotMs(slotMinutes);
  return atMs - (((atMs % len) + len) % len);
}
