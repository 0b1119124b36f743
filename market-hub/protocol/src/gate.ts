import { MINUTE_MS } from "./durations.js";
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

/** When the gate of the slot starting at `slotStartMs` closes (ms since the epoch). */
export function gateClosesAtMs(slotStartMs: number, market: Pick<GateRules, "gateClosureMinutes">): number {
  return slotStartMs - market.gateClosureMinutes * MINUTE_MS;
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
  return lastClosedSlotMs(market, nowMs) + market.slotMinutes * MINUTE_MS;
}

/** The latest slot whose gate has closed at `nowMs` (its start, ms): the last one to clear ex ante. */
export function lastClosedSlotMs(market: GateRules, nowMs: number): number {
  const len = market.slotMinutes * MINUTE_MS;
  return Math.floor((nowMs + market.gateClosureMinutes * MINUTE_MS) / len) * len;
}

/** Why an order for a slot whose gate has closed is refused: when it closed, and what to do. */
export function gateClosedRule(slot: string, market: Pick<GateRules, "gateClosureMinutes">): string {
  return `gate closed at ${gateClosesAt(slot, market)} (${market.gateClosureMinutes} min before the slot); bid for a later slot`;
}
