/** Durations in ms, named once (zod-free: the cards use them too, as `@openlem/protocol/durations`). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** A day of 24 hours: for UTC arithmetic. Local days can have 23 or 25 (see slotsInLocalDay). */
export const DAY_MS = 86_400_000;
