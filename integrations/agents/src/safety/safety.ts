import { slotMs } from "@openlem/protocol";
import { type BatterySpec, batteryStep, maxSocWh, minSocWh, oneWayEfficiency } from "../devices/battery.js";
import { type BoilerSpec, boilerStep } from "../devices/boiler.js";
import type { EvSession } from "../devices/ev.js";

/**
 * The safety layer: separate from every strategy and always applied last. A strategy proposes,
 * these functions decide what the device may actually do in the coming slot. Prices play no
 * part here, so no price (spike, negative, missing) can move a device out of its limits.
 */

/** The battery power (W, + discharge) allowed for this slot: within power limits and the SOC window. */
export function safeBatteryPower(b: BatterySpec, socWh: number, requestedW: number, minutes: number): number {
  if (!Number.isFinite(requestedW)) return 0;
  const eta = oneWayEfficiency(b);
  const hours = minutes / 60;
  // what the cells can give or take before leaving the window, as AC power
  const dischargeRoomW = Math.max(0, ((socWh - minSocWh(b)) * eta) / hours);
  const chargeRoomW = Math.max(0, (maxSocWh(b) - socWh) / eta / hours);
  const upper = Math.min(b.maxDischargeW, dischargeRoomW);
  const lower = -Math.min(b.maxChargeW, chargeRoomW);
  // whole watts, rounded toward zero so that rounding never pushes past a limit
  return Math.trunc(Math.max(lower, Math.min(upper, requestedW))) + 0;
}

export interface BoilerDecision {
  on: boolean;
  /** Why the safety layer overrode the plan, or null when it followed it. */
  override: "below-minimum" | "above-maximum" | "legionella" | null;
}

/**
 * Heats when the water would otherwise fall below the minimum in this slot; refuses to heat
 * when heating would pass the maximum. When the anti-legionella heat is overdue (the tank
 * has not reached `legionellaTempC` for `legionellaEveryDays` days), it heats until it has.
 * Otherwise the plan stands.
 */
export function safeBoiler(
  b: BoilerSpec,
  {
    tempC,
    plannedOn,
    expectedDrawWh,
    minutes,
    legionellaOverdue = false,
  }: { tempC: number; plannedOn: boolean; expectedDrawWh: number; minutes: number; legionellaOverdue?: boolean },
): BoilerDecision {
  if (boilerStep(b, tempC, false, expectedDrawWh, minutes) < b.minTempC)
    return { on: true, override: plannedOn ? null : "below-minimum" };
  if (boilerStep(b, tempC, true, expectedDrawWh, minutes) > b.maxTempC)
    return { on: false, override: plannedOn ? "above-maximum" : null };
  if (legionellaOverdue && !plannedOn) return { on: true, override: "legionella" };
  return { on: plannedOn, override: null };
}

/**
 * The EV charging power for this slot: at least what still reaches the target by departure
 * when the remaining slots charge at full power, at most the charger's power and what is
 * still needed. Zero before arrival and after departure.
 */
export function safeEvPower(
  s: EvSession,
  chargedWh: number,
  slotStartMs: number,
  requestedW: number,
  minutes: number,
): number {
  const len = slotMs(minutes);
  const arrival = Date.parse(s.arrival);
  const departure = Date.parse(s.departure);
  if (slotStartMs + len <= arrival || slotStartMs >= departure) return 0;
  const remainingWh = s.needWh - chargedWh;
  if (remainingWh <= 0) return 0;
  const hours = minutes / 60;
  // full slots after this one before departure
  const later = Math.max(0, Math.floor((departure - (slotStartMs + len)) / len));
  const mustNowWh = Math.max(0, remainingWh - later * s.maxPowerW * hours);
  const minW = Math.ceil(mustNowWh / hours);
  const maxW = Math.min(s.maxPowerW, Math.ceil(remainingWh / hours));
  const wanted = Number.isFinite(requestedW) ? requestedW : 0;
  return Math.round(Math.min(maxW, Math.max(minW, wanted, 0)));
}

/** Convenience for simulations: the SOC after applying the safe power. */
export function safeBatteryStep(
  b: BatterySpec,
  socWh: number,
  requestedW: number,
  minutes: number,
): { powerW: number; socWh: number } {
  const powerW = safeBatteryPower(b, socWh, requestedW, minutes);
  return { powerW, socWh: batteryStep(b, socWh, powerW, minutes) };
}
