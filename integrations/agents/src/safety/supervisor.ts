import { slotMs } from "@openlem/protocol";
import type { DeviceState, SlotDecision } from "../household/agent.js";
import type { HouseholdSpec } from "../household/spec.js";
import { safeBatteryPower, safeEvPower } from "./safety.js";

/**
 * The safety supervisor: between slot starts, every time the devices report, it holds the
 * decision in force against the hard limits with the state the devices have now. The slot
 * start already applied the safety layer to what was expected; this catches what really
 * happened since (a hot-water tap left open, a sensor that jumped, a battery that filled
 * faster than its model). Over the maximum: off now. Under the minimum: on now. The battery
 * stays inside its SOC window for the minutes left, and no longer discharges for a load that
 * safety switched off. Pure: the loop calls it and applies what it returns.
 */
export function superviseSlot(
  spec: HouseholdSpec,
  d: SlotDecision,
  state: DeviceState,
  nowMs: number,
  minutes: number,
): SlotDecision {
  const left = d.startMs + slotMs(minutes) - nowMs;
  if (left <= 0) return d;
  const minutesLeft = left / 60_000;
  const why: string[] = [];
  let { boilerOn, evW, batteryW } = d;
  let freedW = 0;

  const b = spec.boiler;
  if (b && state.tempC !== undefined && Number.isFinite(state.tempC)) {
    if (boilerOn && state.tempC >= b.maxTempC) {
      boilerOn = false;
      freedW += b.heaterW;
      why.push(`boiler: off now, the water reached its maximum (${state.tempC.toFixed(1)} °C, limit ${b.maxTempC} °C)`);
    } else if (!boilerOn && state.tempC < b.minTempC) {
      boilerOn = true;
      why.push(
        `boiler: heating now, the water fell below its minimum (${state.tempC.toFixed(1)} °C, limit ${b.minTempC} °C)`,
      );
    } else if (state.boilerOn !== undefined && state.boilerOn !== boilerOn) {
      // switched by hand (or a command was lost) where a limit is at stake: the safe state again
      const hot = state.tempC >= b.maxTempC;
      const cold = state.tempC < b.minTempC;
      if (hot || cold)
        why.push(
          `boiler: switched ${boilerOn ? "on" : "off"} again, the water is ${hot ? "at its maximum" : "below its minimum"}`,
        );
    }
  }

  if (spec.ev && state.ev) {
    const s = state.ev.session;
    const allowed = s ? safeEvPower(s, state.ev.chargedWh, d.startMs, evW, minutes) : 0;
    if (evW > 0 && allowed < evW) {
      freedW += evW - allowed;
      why.push(s ? "EV: charging less, the target is reached" : "EV: stopped, the car is unplugged");
      evW = allowed;
    }
  }

  const bat = spec.battery;
  if (bat && state.socWh !== undefined && Number.isFinite(state.socWh)) {
    let wanted = batteryW;
    // a discharge that fed a load safety switched off would now only feed the grid
    if (freedW > 0 && wanted > 0) wanted = Math.max(0, wanted - freedW);
    const safe = safeBatteryPower(bat, state.socWh, wanted, minutesLeft);
    if (safe !== batteryW) {
      why.push(
        safe !== wanted
          ? `battery: ${safe} W, it reached the edge of its state-of-charge window`
          : `battery: ${safe} W, the load it was feeding was switched off`,
      );
      batteryW = safe;
    }
  } else if (bat && freedW > 0 && batteryW > 0) {
    batteryW = Math.max(0, batteryW - freedW);
    why.push(`battery: ${batteryW} W, the load it was feeding was switched off`);
  }

  if (why.length === 0) return d;
  // a new correction of a device replaces the earlier ones of this slot: the reasons say what
  // holds now, not every state the device passed through
  const device = (w: string) => w.slice(0, w.indexOf(":"));
  const corrected = new Set(why.map(device));
  const kept = d.why.filter((w) => !(CORRECTION.test(w) && corrected.has(device(w))));
  return { ...d, boilerOn, evW, batteryW, why: [...why, ...kept] };
}

/** The reasons this supervisor gives (mid-slot corrections), as opposed to the slot start's. */
const CORRECTION = /^(boiler: (off now|heating now|switched)|battery: -?\d+ W, |EV: (charging less|stopped))/;
