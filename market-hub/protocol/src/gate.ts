import { MINUTE_MS, slotMs, slotStartMs } from "./durations.js";
/*
 * Gate closure, the one rule of when a slot stops taking orders: `gateClosureMinutes` before
 * it starts. The hub's intake, its scheduler and manual clearing, the market clock clients
 * read, the demo and the simulators all ask here.
 */

/** The market rules gate closure depends on. */
export interface GateRules {
  slotMinutes: number;
  gateClosureMinutes: number;
}

/** When the gate of the slot starting at `startMs` closes (ms since the epoch). */
export function gateClosesAtMs(startMs: number, market: Pick<GateRules, "gateClosureMinutes">): number {
  return startMs - market.gateClosureMinutes * MINUTE_MS;
}

/** When the gate of a slot closes, as a UTC instant. */
export function gateClosesAt(slot: string, market: Pick<GateRules, "gateClosureMinutes">): string {
  return new Date(gateClosesAtMs(Date.parse(slot), market)).toISOString();
}

/** Whether a slot's gate has closed at `nowMs`: at the closing instant itself it has. */
export function isGateClosed(slot: string, market: Pick<GateRules, "gateClosureMinutes">, nowMs: number): boolean {
  return nowMs >= gateClosesAtMs(Date.parse(slot), market);
}

/** The earliest slot whose gate is still open at `nowMs` (its start, ms). */
export function nextOpenSlotMs(market: GateRules, nowMs: number): number {
  return lastClosedSlotMs(market, nowMs) + slotMs(market.slotMinutes);
}

/** The latest slot whose gate has closed at `nowMs` (its start, ms): the last one to clear ex ante. */
export function lastClosedSlotMs(market: GateRules, nowMs: number): number {
  return slotStartMs(nowMs + market.gateClosureMinutes * MINUTE_MS, market.slotMinutes);
}

/** What clearing ex post needs besides the gate rules. */
export interface ClearingRules extends GateRules {
  mode: "ex-ante" | "ex-post";
  expostDelayMinutes: number;
}

/**
 * The latest slot that may be cleared at `nowMs` (its start, ms): ex ante, the last one whose
 * gate has closed; ex post, the last one that ended `expostDelayMinutes` ago, when its readings
 * are in. The scheduler clears up to it; the admin page offers it.
 */
export function lastClearableSlotMs(market: ClearingRules, nowMs: number): number {
  return market.mode === "ex-post"
    ? slotStartMs(nowMs - market.expostDelayMinutes * MINUTE_MS, market.slotMinutes) - slotMs(market.slotMinutes)
    : lastClosedSlotMs(market, nowMs);
}

/** Why an order for a slot whose gate has closed is refused: when it closed, and what to do. */
export function gateClosedRule(slot: string, market: Pick<GateRules, "gateClosureMinutes">): string {
  return `gate closed at ${gateClosesAt(slot, market)} (${market.gateClosureMinutes} min before the slot); bid for a later slot`;
}
