import { slotMs } from "@openlem/protocol";
import type { EvSession } from "../devices/ev.js";

export interface EvPlanInput {
  session: EvSession;
  chargedWh: number;
  /** UTC start of each slot of the horizon, and its price (NaN: no forecast). */
  slots: readonly { startMs: number; price: number }[];
  minutes: number;
}

/**
 * Charges the energy still needed in the cheapest slots before departure, each at up to the
 * charger's power (the last one partly). Slots without a forecast are taken last. The safety
 * layer still guarantees the target whatever happens to the plan.
 */
export function planEv(input: EvPlanInput): number[] {
  const { session: s, minutes } = input;
  const arrival = Date.parse(s.arrival);
  const departure = Date.parse(s.departure);
  const len = slotMs(minutes);
  const perSlotWh = (s.maxPowerW * minutes) / 60;
  let needWh = Math.max(0, s.needWh - input.chargedWh);
  const usable = input.slots
    .map((slot, i) => ({ i, ...slot }))
    .filter((x) => x.startMs >= arrival && x.startMs + len <= departure)
    .sort(
      (a, b) =>
        (Number.isFinite(a.price) ? a.price : Infinity) - (Number.isFinite(b.price) ? b.price : Infinity) ||
        a.startMs - b.startMs,
    );
  const power = input.slots.map(() => 0);
  for (const x of usable) {
    if (needWh <= 0) break;
    const wh = Math.min(perSlotWh, needWh);
    power[x.i] = Math.ceil((wh * 60) / minutes);
    needWh -= wh;
  }
  return power;
}
