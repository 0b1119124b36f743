import { batteryStep, boilerStep } from "@openlem/agents";
import { DAY_MS, slotMs } from "@openlem/protocol";
import type { EvSessionAt } from "./community-profiles.js";
import type { Household } from "./scenario.js";

/** What the safety layer had to hold, and did: figures for the report. */
export interface SafetyFigures {
  minTankC: number | null;
  maxTankC: number | null;
  /** Longest stretch without an anti-legionella heat, in days. */
  longestWithoutLegionellaDays: number | null;
  minSocShare: number | null;
  maxSocShare: number | null;
  evTargetsMissed: number;
  evSessions: number;
}

/** Gathers the safety figures of a run, whichever way it runs. */
export class SafetyLog {
  readonly figures: SafetyFigures = {
    minTankC: null,
    maxTankC: null,
    longestWithoutLegionellaDays: null,
    minSocShare: null,
    maxSocShare: null,
    evTargetsMissed: 0,
    evSessions: 0,
  };

  private seen(key: "minTankC" | "maxTankC" | "minSocShare" | "maxSocShare", v: number, min: boolean): void {
    const cur = this.figures[key];
    if (cur === null || (min ? v < cur : v > cur)) this.figures[key] = v;
  }

  soc(share: number): void {
    this.seen("minSocShare", share, true);
    this.seen("maxSocShare", share, false);
  }

  tank(tempC: number): void {
    this.seen("minTankC", tempC, true);
    this.seen("maxTankC", tempC, false);
  }

  hotAfter(days: number): void {
    const cur = this.figures.longestWithoutLegionellaDays;
    if (cur === null || days > cur) this.figures.longestWithoutLegionellaDays = days;
  }

  evSession(reached: boolean): void {
    this.figures.evSessions++;
    if (!reached) this.figures.evTargetsMissed++;
  }

  /** Adds what another log saw (a shard of the same run): the figures are the same in any order. */
  merge(f: SafetyFigures): void {
    if (f.minTankC !== null) this.seen("minTankC", f.minTankC, true);
    if (f.maxTankC !== null) this.seen("maxTankC", f.maxTankC, false);
    if (f.minSocShare !== null) this.seen("minSocShare", f.minSocShare, true);
    if (f.maxSocShare !== null) this.seen("maxSocShare", f.maxSocShare, false);
    if (f.longestWithoutLegionellaDays !== null) this.hotAfter(f.longestWithoutLegionellaDays);
    this.figures.evSessions += f.evSessions;
    this.figures.evTargetsMissed += f.evTargetsMissed;
  }
}

/** A simulated house's devices between slots. */
export interface HouseDevices {
  socWh: number;
  tempC: number;
  evChargedWh: number;
  /** When the tank was last hot enough against legionella. */
  lastHotMs: number;
}

/**
 * Runs a simulated house's devices through the slot that starts at `startMs` as `d` decided
 * (battery power, element, charging power; none: nothing flexible runs), records what the
 * safety layer held, and answers the energy the flexible loads used (Wh).
 */
export function stepDevices(
  h: Household,
  st: HouseDevices,
  d: { batteryW: number; boilerOn: boolean; evW: number } | null,
  drawWh: number,
  session: EvSessionAt | null,
  startMs: number,
  minutes: number,
  safety: SafetyLog,
): number {
  const hours = minutes / 60;
  if (h.battery && d) {
    st.socWh = batteryStep(h.battery, st.socWh, d.batteryW, minutes);
    safety.soc(st.socWh / h.battery.capacityWh);
  }
  if (h.boiler) {
    st.tempC = boilerStep(h.boiler, st.tempC, d?.boilerOn ?? false, drawWh, minutes);
    safety.tank(st.tempC);
    if (st.tempC >= h.boiler.legionellaTempC - 0.5) {
      safety.hotAfter((startMs - st.lastHotMs) / DAY_MS);
      st.lastHotMs = startMs;
    }
  }
  // the session's slots: those that overlap its arrival to departure
  if (d && session && startMs + slotMs(minutes) > session.arrival) {
    st.evChargedWh += Math.round(d.evW * hours);
    if (startMs + slotMs(minutes) >= session.departure) {
      safety.evSession(st.evChargedWh >= session.needWh);
      st.evChargedWh = 0;
    }
  }
  return d ? Math.round((d.boilerOn ? (h.boiler?.heaterW ?? 0) * hours : 0) + d.evW * hours) : 0;
}

/** The volume-weighted local price by local hour of a run. */
export class PriceByHour {
  private readonly value = new Float64Array(24);
  private readonly wh = new Float64Array(24);

  add(localHour: number, price: number, wh: number): void {
    const hour = Math.floor(localHour) % 24;
    this.value[hour] = (this.value[hour] as number) + price * wh;
    this.wh[hour] = (this.wh[hour] as number) + wh;
  }

  /** Currency per kWh, rounded to the tick; null where nothing traded locally. */
  result(): (number | null)[] {
    return Array.from({ length: 24 }, (_, k) =>
      (this.wh[k] as number) > 0
        ? Math.round(((this.value[k] as number) / (this.wh[k] as number)) * 100_000) / 100_000
        : null,
    );
  }
}
