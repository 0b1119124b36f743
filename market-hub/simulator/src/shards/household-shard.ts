import { type DeviceState, type ForecastSlot, HouseholdAgent, HouseholdHistory } from "@openlem/agents";
import type { Calendar } from "../calendar.js";
import { type CommunityProfiles, deviceStateOf, householdSpecOf } from "../community-profiles.js";
import { type HouseDevices, SafetyLog, stepDevices } from "../house-physics.js";
import type { Household, LoadedScenario } from "../scenario.js";

/** Whether a variant's households trade, and whether their devices plan (OpenLEM) or only react (D3A's ramps). */
export interface ShardMode {
  trading: boolean;
  planning: boolean;
  /** Households bid their forecast, not what their meters will read. */
  forecastError: boolean;
}

/**
 * What a shard's households did in the slots of a chunk, slot-major: entry `k · count + j` is
 * the chunk's slot k for the shard's household j. Energy in Wh, power in W.
 */
export interface ShardColumns {
  /** Net at the meter (+ import, − export). */
  net: Float64Array;
  /** What the house used: its load and its flexible devices. */
  used: Float64Array;
  pv: Float64Array;
  /** The home battery's power (+ discharge). */
  batteryW: Float64Array;
  /** What the household bids for the slot (+ buy): its forecast net, or its net without forecast error. */
  bid: Float64Array;
}

export function shardColumns(slots: number, count: number, shared: boolean): ShardColumns {
  const column = () =>
    new Float64Array(shared ? new SharedArrayBuffer(slots * count * 8) : new ArrayBuffer(slots * count * 8));
  return { net: column(), used: column(), pv: column(), batteryW: column(), bid: column() };
}

interface HouseState extends HouseDevices {
  agent: HouseholdAgent | null;
  /** What the household's own meters saw, slot by slot: its agent plans from it. */
  history: HouseholdHistory | null;
  /** Its net load forecast from the last planning point on (Wh a slot), and that point's slot. */
  forecastNetWh: number[];
  forecastFromT: number;
}

/**
 * A share of a community's households (`members`, their indices in the scenario): their agents,
 * devices and meters, run slot by slot. What a household does never depends on the clearing of the
 * slots it runs: it bids its net position, its devices follow the plan made at local noon
 * from the prices of the day before (or, in the ramps variant, their local controls). So the
 * shards of a community can run the slots from one noon to the next side by side, in worker
 * threads, while the market clears each chunk once all have run it.
 */
export class HouseholdShard {
  readonly safety = new SafetyLog();
  readonly count: number;
  private readonly houses: HouseState[];
  private readonly households: Household[];
  private readonly minutes: number;
  private readonly slotsPerDay: number;
  private readonly retail: number;
  private readonly feedIn: number;

  constructor(
    loaded: LoadedScenario,
    private readonly mode: ShardMode,
    readonly members: readonly number[],
    private readonly cal: Calendar,
    private readonly prof: CommunityProfiles,
  ) {
    this.households = members.map((i) => loaded.households[i] as Household);
    this.count = this.households.length;
    this.minutes = loaded.market.slotMinutes;
    this.slotsPerDay = Math.round(1440 / this.minutes);
    this.retail = loaded.market.retailPrice;
    this.feedIn = loaded.market.feedInTariff;
    this.houses = this.households.map((h) => {
      const spec = householdSpecOf(h);
      return {
        agent: spec ? new HouseholdAgent(spec, this.minutes) : null,
        history: spec || mode.forecastError ? new HouseholdHistory({ minutes: this.minutes }) : null,
        forecastNetWh: [],
        forecastFromT: 0,
        socWh: h.battery ? h.battery.capacityWh * 0.5 : 0,
        tempC: h.boiler ? h.boiler.targetTempC : 0,
        evChargedWh: 0,
        lastHotMs: cal.startMs[0] ?? 0,
      };
    });
  }

  /** Whether the agents plan at the start of slot t: the first slot and every local noon. */
  static plansAt(cal: Calendar, t: number): boolean {
    return t === 0 || cal.localHour[t] === 12;
  }

  private stateOf(h: Household, st: HouseState, t: number): DeviceState {
    return deviceStateOf(h, this.prof.evSession(h, t), st);
  }

  /**
   * Runs slots t0 … t1 − 1 into `out` (entry `(t − t0) · count + j`). `price` is the run's
   * local price per slot (NaN: none), known up to t0: the agents forecast from a day earlier.
   */
  run(t0: number, t1: number, price: Float64Array, out: ShardColumns, ran?: (t: number) => void): void {
    for (let t = t0; t < t1; t++) {
      if (HouseholdShard.plansAt(this.cal, t)) {
        if (this.mode.forecastError) this.forecast(t);
        if (this.mode.planning) this.plan(t, price);
      }
      this.slot(t, (t - t0) * this.count, out);
      ran?.(t);
    }
  }

  /** Each household's own forecast of its net load over the next 24 hours, from its history. */
  private forecast(t0: number): void {
    const { cal, slotsPerDay } = this;
    const len = Math.min(slotsPerDay, cal.startMs.length - t0);
    const fromMs = cal.startMs[t0] as number;
    const dayStartMs = cal.dayStartMs[cal.day[t0] as number] as number;
    for (const st of this.houses) {
      if (!st.history || st.history.size === 0) {
        // nothing seen yet: it bids what it will use (its first day has no forecast to err)
        st.forecastNetWh = [];
        continue;
      }
      st.forecastNetWh = Array.from(st.history.forecast(fromMs, len, fromMs, dayStartMs).netLoadWh);
      st.forecastFromT = t0;
    }
  }

  /**
   * Plan: each agent over the next 24 hours, prices forecast from the same slots a day earlier,
   * its load and PV from its own history (`HouseholdHistory`), as a real home forecasts them.
   */
  private plan(t0: number, price: Float64Array): void {
    const { cal, prof, slotsPerDay } = this;
    const len = Math.min(slotsPerDay, cal.startMs.length - t0);
    const fromMs = cal.startMs[t0] as number;
    const dayStartMs = cal.dayStartMs[cal.day[t0] as number] as number;
    for (let j = 0; j < this.count; j++) {
      const st = this.houses[j] as HouseState;
      if (!st.agent || !st.history) continue;
      const h = this.households[j] as Household;
      const own = st.history.forecast(fromMs, len, fromMs, dayStartMs);
      const forecast: ForecastSlot[] = [];
      for (let k = 0; k < len; k++) {
        const t = t0 + k;
        const past = t - slotsPerDay >= 0 ? (price[t - slotsPerDay] as number) : Number.NaN;
        const local = this.mode.trading && Number.isFinite(past) ? past : Number.NaN;
        forecast.push({
          startMs: cal.startMs[t] as number,
          buyPrice: Number.isFinite(local) ? Math.min(this.retail, local) : this.retail,
          sellPrice: Number.isFinite(local) ? Math.max(this.feedIn, local) : this.feedIn,
          netLoadWh: own.netLoadWh[k] as number,
          drawWh: prof.drawWh(h, t),
        });
      }
      st.agent.plan(forecast, this.stateOf(h, st, t0), fromMs);
    }
  }

  /** One slot: devices decided (safety last) and stepped, meters read. */
  private slot(t: number, at: number, out: ShardColumns): void {
    const { prof, minutes } = this;
    const start = this.cal.startMs[t] as number;
    const localDefault = !this.mode.planning;
    for (let j = 0; j < this.count; j++) {
      const h = this.households[j] as Household;
      const st = this.houses[j] as HouseState;
      const load = prof.loadWh(h, t);
      const pv = prof.pvWh(h, t);
      let net = load - pv;
      let used = load;
      let batteryW = 0;
      if (st.agent) {
        const state = this.stateOf(h, st, t);
        const dWh = prof.drawWh(h, t);
        // without a plan the agent runs its devices' local controls: thermostat, self-consumption, charge on arrival
        const d = st.agent.decide(start, state, { netLoadWh: net, drawWh: dWh }, { localDefault });
        net = d.netWh;
        batteryW = d.batteryW;
        used += stepDevices(h, st, d, dWh, prof.evSession(h, t), start, minutes, this.safety);
        st.agent.afterSlot(d, this.stateOf(h, st, t));
      }
      st.history?.record(start, load, pv);
      // the bid: the forecast net load and the devices as decided, or exactly the metered net
      const expected = st.forecastNetWh[t - st.forecastFromT];
      out.bid[at + j] =
        this.mode.forecastError && expected !== undefined ? Math.round(expected + (net - (load - pv))) : net;
      out.net[at + j] = net;
      out.used[at + j] = used;
      out.pv[at + j] = pv;
      out.batteryW[at + j] = batteryW;
    }
  }
}

/**
 * How many households the calling thread takes for each one a worker takes. It also clears
 * and settles every slot, behind the workers as they finish them, so it takes fewer. Since the
 * slot's market runs on columns that costs little (measured on 2 cores, the benchmark's year,
 * runs of the same build: 0.5 40.0 / 36.3 / 33.1 s, 0.8 35.7 / 26.4 / 27.1 s, 1 27.7 / 33.2 s).
 */
const MAIN_SHARE = 0.8;

/**
 * The community's households dealt out to the calling thread (first) and `workers` worker
 * threads, one by one to whichever has the least for its share: every shard gets the same mix
 * of batteries, boilers and plain homes, so they finish together.
 */
export function dealShards(count: number, workers: number): number[][] {
  const shards: number[][] = Array.from({ length: workers + 1 }, () => []);
  const share = (k: number) => (k === 0 && workers > 0 ? MAIN_SHARE : 1);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let k = 1; k <= workers; k++)
      if (((shards[k] as number[]).length + 1) / share(k) < ((shards[best] as number[]).length + 1) / share(best))
        best = k;
    (shards[best] as number[]).push(i);
  }
  return shards;
}
