import { type DeviceState, drawShare, HouseholdSpec, type PriceLimits } from "@openlem/agents";
import { DAY_MS, isoOf, minutesOfClock, slotMs } from "@openlem/protocol";
import type { Calendar } from "./calendar.js";
import { heatingWh } from "./profiles/heating.js";
import { chpShare } from "./profiles/hot-water.js";
import { householdLoadWh } from "./profiles/load.js";
import { SolarSite, weatherFactor } from "./profiles/solar.js";
import type { Generator, Household, LoadedScenario } from "./scenario.js";

export interface EvSessionAt {
  arrival: number;
  departure: number;
  needWh: number;
  maxPowerW: number;
}

/**
 * What every household and plant of a scenario consumes and produces in each slot of a
 * calendar: the one source of profiles for the in-process and the end-to-end runs, so both
 * see the same community.
 */
export class CommunityProfiles {
  private readonly pvWPerKwp: Float64Array;
  private readonly draw: Float64Array;
  private readonly hours: number;
  private readonly slotsPerDay: number;

  constructor(
    readonly loaded: LoadedScenario,
    readonly cal: Calendar,
  ) {
    const { scenario } = loaded;
    const minutes = cal.slotMinutes;
    this.hours = minutes / 60;
    this.slotsPerDay = Math.round(1440 / minutes);
    this.draw = drawShare(minutes);
    const site = new SolarSite(scenario.location.latitude, scenario.location.longitude, scenario.pvYieldKwhPerKwp);
    const n = cal.startMs.length;
    this.pvWPerKwp = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const w = weatherFactor(scenario.seed, cal.day[t] as number, cal.dayOfYear[t] as number);
      this.pvWPerKwp[t] = site.wattsPerKwp((cal.startMs[t] as number) + slotMs(minutes) / 2, w);
    }
  }

  get slots(): number {
    return this.cal.startMs.length;
  }

  /** The slot that starts at `ms`, or -1 outside the calendar. */
  indexOf(ms: number): number {
    const t = Math.round((ms - (this.cal.startMs[0] as number)) / slotMs(this.cal.slotMinutes));
    return t >= 0 && t < this.slots && this.cal.startMs[t] === ms ? t : -1;
  }

  /** What the household uses in slot t (Wh): its appliances and, where it has one, its heat pump. */
  loadWh(h: Household, t: number): number {
    const { cal } = this;
    const heating =
      h.heatingKwh > 0
        ? heatingWh(
            h.heatingKwh,
            cal.localHour[t] as number,
            cal.dayOfYear[t] as number,
            cal.slotMinutes,
            this.loaded.scenario.seed,
            cal.day[t] as number,
          )
        : 0;
    return (
      heating +
      householdLoadWh(
        h.annualKwh,
        cal.localHour[t] as number,
        cal.weekend[t] === 1,
        cal.dayOfYear[t] as number,
        cal.slotMinutes,
        this.loaded.scenario.seed,
        h.index,
        cal.day[t] as number,
        t,
        h.loadVariability,
      )
    );
  }

  pvWh(h: Household, t: number): number {
    // an east roof's morning is the site's curve some slots later, a west roof's the reverse
    const at = t - h.pvShiftSlots;
    const w = at >= 0 && at < this.pvWPerKwp.length ? (this.pvWPerKwp[at] as number) : 0;
    return Math.round(w * h.pvKwp * h.pvGain * this.hours);
  }

  drawWh(h: Household, t: number): number {
    if (!h.boiler) return 0;
    const share = this.draw[Math.min(this.draw.length - 1, t % this.slotsPerDay)] as number;
    return h.boiler.drawKwhPerDay * 1000 * share;
  }

  generatorWh(g: Generator, t: number): number {
    return g.source === "pv"
      ? Math.round((this.pvWPerKwp[t] as number) * (g.pvKwp ?? 0) * this.hours)
      : Math.round((g.kw ?? 0) * 1000 * chpShare(this.cal.dayOfYear[t] as number) * this.hours);
  }

  /** The EV session that runs in slot t, or the next one: arrival on day d, departure the next morning. */
  evSession(h: Household, t: number): EvSessionAt | null {
    if (!h.ev) return null;
    const s = this.cal.startMs[t] as number;
    const k = this.cal.day[t] as number;
    const day0 = this.cal.dayStartMs[0] as number;
    for (const d of [k - 1, k]) {
      const arrival = day0 + d * DAY_MS + minutesOfClock(h.ev.arrival) * 60_000;
      const departure = day0 + (d + 1) * DAY_MS + minutesOfClock(h.ev.departure) * 60_000;
      if (s < departure && d >= 0) return { arrival, departure, needWh: h.ev.needWh, maxPowerW: h.ev.maxPowerW };
    }
    return null;
  }
}

/**
 * The agent's view of a simulated household's devices, or null when it has none to steer.
 * Coarser than a real home's default (41 battery levels, 1 K tank steps) so a community-year
 * plans in seconds; the safety layer still holds every limit exactly.
 */
export function householdSpecOf(h: Household, limits?: PriceLimits): HouseholdSpec | null {
  if (!h.battery && !h.boiler && !h.ev && !limits) return null;
  return HouseholdSpec.parse({
    battery: h.battery,
    boiler: h.boiler,
    ev: h.ev ? { maxPowerW: h.ev.maxPowerW } : undefined,
    batteryLevels: 41,
    boilerResolutionK: 1,
    ...(limits ? { limits } : {}),
  });
}

/** What a simulated household's devices report to its agent. */
export function deviceStateOf(
  h: Household,
  session: EvSessionAt | null,
  d: { socWh: number; tempC: number; evChargedWh: number },
): DeviceState {
  return {
    socWh: h.battery ? d.socWh : undefined,
    tempC: h.boiler ? d.tempC : undefined,
    ev: session
      ? {
          session: {
            arrival: isoOf(session.arrival),
            departure: isoOf(session.departure),
            needWh: session.needWh,
            maxPowerW: session.maxPowerW,
          },
          chargedWh: d.evChargedWh,
        }
      : undefined,
  };
}
