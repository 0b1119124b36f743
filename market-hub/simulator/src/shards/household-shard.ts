import {
  type DeviceState,
  type ForecastSlot,
  HouseholdAgent,
  HouseholdHistory,
  houseBidWh,
  type SlotBid,
  type SlotDecision,
} from "@openlem/agents";
import { expectedLocalPrice, LOOK_BACK_DAYS, priceToTicks } from "@openlem/protocol";
import type { Calendar } from "../calendar.js";
import { type CommunityProfiles, deviceStateOf, householdSpecOf } from "../community-profiles.js";
import { type HouseDevices, SafetyLog, stepDevices } from "../house-physics.js";
import type { Household, LoadedScenario } from "../scenario.js";

/** Whether a variant's households trade, and whether their devices plan (OpenLEM) or only react (D3A's strategies). */
export interface ShardMode {
  trading: boolean;
  planning: boolean;
  /** Households bid their forecast, not what their meters will read. */
  forecastError: boolean;
}

/** The most steps a household's bid has: the house's need, the boiler, the battery (or PV and the battery). */
export const MAX_STEPS = 3;

/**
 * What a shard's households bid for a slot and what their meters read, one entry a household
 * (steps: `MAX_STEPS` a household), and the fills the market wrote back. Energy in Wh, power
 * in W, prices in ticks.
 */
export interface ShardColumns {
  /** The bid: its steps (0: none), side (1: buy) and each step's energy, price and source (1: the battery). */
  steps: Uint8Array;
  buy: Uint8Array;
  stepWh: Float64Array;
  /** NaN: at the price the run gives the household (its limit, or D3A's ramp). */
  stepTicks: Float64Array;
  stepBattery: Uint8Array;
  /** What the market gave the bid: bought and sold, locally and from the utility. */
  boughtWh: Float64Array;
  soldWh: Float64Array;
  /** Net at the meter (+ import, − export). */
  net: Float64Array;
  /** What the house used: its load and its flexible devices. */
  used: Float64Array;
  pv: Float64Array;
  /** The home battery's power (+ discharge). */
  batteryW: Float64Array;
}

export function shardColumns(count: number, shared: boolean): ShardColumns {
  const bytes = (n: number) => (shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  const f64 = (n: number) => new Float64Array(bytes(n * 8));
  const u8 = (n: number) => new Uint8Array(bytes(n));
  const steps = count * MAX_STEPS;
  return {
    steps: u8(count),
    buy: u8(count),
    stepWh: f64(steps),
    stepTicks: f64(steps),
    stepBattery: u8(steps),
    boughtWh: f64(count),
    soldWh: f64(count),
    net: f64(count),
    used: f64(count),
    pv: f64(count),
    batteryW: f64(count),
  };
}

interface HouseState extends HouseDevices {
  agent: HouseholdAgent | null;
  /** What the household's own meters saw, slot by slot: its agent plans from it. */
  history: HouseholdHistory | null;
  /** Its net load forecast from the last planning point on (Wh a slot), and that point's slot. */
  forecastNetWh: number[];
  forecastSpreadWh: number[];
  forecastFromT: number;
  /** The slot under way: its load and PV, the decision the bid was made on, and the bid's energy to buy and sell. */
  loadWh: number;
  pvWh: number;
  decision: SlotDecision | null;
  curve: boolean;
  bidBuyWh: number;
  bidSellWh: number;
}

/**
 * A share of a community's households (`members`, their indices in the scenario): their agents,
 * devices and meters, run slot by slot in two phases. `bid`: each household decides what its
 * devices would do and bids for it (with planners, a curve: the house's need at its limit,
 * each flexible use at its value). The market then clears every shard's bids together and
 * writes the fills back. `act`: each household's devices follow what it bought and sold (a
 * buy that did not fill does not run the boiler or charge the battery, unless safety needs
 * it; a sell that did not fill does not discharge), and its meters are read. The shards of a
 * community run each phase side by side, in worker threads, between the market's clearings.
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
  private readonly tariff: { retailPrice: number; feedInTariff: number };
  private readonly bounds: { retail: number; feedIn: number };
  /** The local price expected from the last planning point on (NaN: none). */
  private expected: Float64Array = new Float64Array(0);
  private expectedFromT = 0;

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
    this.tariff = { retailPrice: this.retail, feedInTariff: this.feedIn };
    this.bounds = { retail: this.retail, feedIn: this.feedIn };
    this.houses = this.households.map((h) => {
      // its devices' bids stay within the household's own limits
      const spec =
        h.battery || h.boiler || h.ev
          ? householdSpecOf(h, { maxBuyPrice: h.maxBuyPrice, minSellPrice: h.minSellPrice })
          : null;
      return {
        agent: spec ? new HouseholdAgent(spec, this.minutes) : null,
        history: spec || mode.forecastError ? new HouseholdHistory({ minutes: this.minutes }) : null,
        forecastNetWh: [],
        forecastSpreadWh: [],
        forecastFromT: 0,
        socWh: h.battery ? h.battery.capacityWh * 0.5 : 0,
        tempC: h.boiler ? h.boiler.targetTempC : 0,
        evChargedWh: 0,
        lastHotMs: cal.startMs[0] ?? 0,
        loadWh: 0,
        pvWh: 0,
        decision: null,
        curve: false,
        bidBuyWh: 0,
        bidSellWh: 0,
      };
    });
  }

  /** Household j's decision for the slot under way (null: no agent). */
  decisionOf(j: number): SlotDecision | null {
    return this.houses[j]?.decision ?? null;
  }

  /** Whether the agents plan at the start of slot t: the first slot and every local noon. */
  static plansAt(cal: Calendar, t: number): boolean {
    return t === 0 || cal.localHour[t] === 12;
  }

  private stateOf(h: Household, st: HouseState, t: number): DeviceState {
    return deviceStateOf(h, this.prof.evSession(h, t), st);
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
        st.forecastSpreadWh = [];
        continue;
      }
      const f = st.history.forecast(fromMs, len, fromMs, dayStartMs);
      st.forecastNetWh = f.netLoadWh;
      st.forecastSpreadWh = f.netLoadSpreadWh;
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
    const expected = this.expectedPrices(price, t0, len);
    this.expected = expected;
    this.expectedFromT = t0;
    for (let j = 0; j < this.count; j++) {
      const st = this.houses[j] as HouseState;
      if (!st.agent || !st.history) continue;
      const h = this.households[j] as Household;
      const own = st.history.forecast(fromMs, len, fromMs, dayStartMs);
      const forecast: ForecastSlot[] = [];
      for (let k = 0; k < len; k++) {
        const t = t0 + k;
        const local = expected[k] as number;
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

  /**
   * The local price expected in slots t0 … t0 + len − 1, as the hub forecasts it
   * (`expectedLocalPrice` over the same slot of the week before; NaN: none traded there).
   */
  private expectedPrices(price: Float64Array, t0: number, len: number): Float64Array {
    const out = new Float64Array(len).fill(Number.NaN);
    if (!this.mode.trading) return out;
    const days: { local: number | null; retail: number | null }[] = [];
    for (let k = 0; k < len; k++) {
      days.length = 0;
      for (let d = 1; d <= LOOK_BACK_DAYS; d++) {
        const before = t0 + k - d * this.slotsPerDay;
        if (before < 0) break;
        const p = price[before] as number;
        days.push({ local: Number.isNaN(p) ? null : p, retail: this.retail });
      }
      out[k] = expectedLocalPrice(days) ?? Number.NaN;
    }
    return out;
  }

  /**
   * The first phase of slot t: plans at a planning point, then each household's bid into
   * `out`. `price` is the run's local price per slot (NaN: none), known up to t: the agents
   * forecast from a day earlier.
   */
  bid(t: number, price: Float64Array, out: ShardColumns): void {
    if (HouseholdShard.plansAt(this.cal, t)) {
      if (this.mode.forecastError) this.forecast(t);
      if (this.mode.planning) this.plan(t, price);
    }
    const { prof } = this;
    const start = this.cal.startMs[t] as number;
    const localDefault = !this.mode.planning;
    for (let j = 0; j < this.count; j++) {
      const h = this.households[j] as Household;
      const st = this.houses[j] as HouseState;
      st.loadWh = prof.loadWh(h, t);
      st.pvWh = prof.pvWh(h, t);
      const own = st.loadWh - st.pvWh;
      // what the house expects of itself: its forecast with forecast error on, else what will happen
      const k = t - st.forecastFromT;
      const forecast = this.mode.forecastError ? st.forecastNetWh[k] : undefined;
      const expected = forecast ?? own;
      const spread = forecast === undefined ? 0 : (st.forecastSpreadWh[k] ?? 0);
      let net = expected;
      st.decision = null;
      st.curve = false;
      if (st.agent) {
        // the devices as they would run: the plan (or local controls), with safety applied
        const d = st.agent.decide(
          start,
          this.stateOf(h, st, t),
          { netLoadWh: own, drawWh: prof.drawWh(h, t) },
          {
            localDefault,
          },
        );
        st.decision = d;
        net = Math.round(expected + st.agent.devicesWh(d));
        if (this.mode.trading && !localDefault && st.agent.covers(start)) {
          const curve = st.agent.bidFor(start, this.tariff, {
            decision: d,
            netLoadWh: expected,
            netLoadSpreadWh: spread,
          });
          this.write(j, curve, out);
          st.curve = true;
          continue;
        }
      }
      // a home the planners run bids as much of its uncertain need as is best (D3A's bids its forecast)
      if (!st.agent && this.mode.planning) {
        const p = this.expected[t - this.expectedFromT];
        net = houseBidWh(expected, spread, Number.isNaN(p ?? Number.NaN) ? null : p, this.bounds);
      }
      this.writeNet(j, this.mode.trading ? Math.round(net) : 0, st, out);
    }
  }

  /** A planner's curve into the columns. */
  private write(j: number, curve: SlotBid, out: ShardColumns): void {
    const st = this.houses[j] as HouseState;
    const at = j * MAX_STEPS;
    let wh = 0;
    out.steps[j] = curve.side ? curve.steps.length : 0;
    out.buy[j] = curve.side === "buy" ? 1 : 0;
    for (const [k, step] of curve.steps.entries()) {
      out.stepWh[at + k] = step.energyWh;
      out.stepTicks[at + k] = priceToTicks(step.price);
      out.stepBattery[at + k] = curve.uses[k]?.includes("battery") && curve.side === "sell" ? 1 : 0;
      wh += step.energyWh;
    }
    st.bidBuyWh = curve.side === "buy" ? wh : 0;
    st.bidSellWh = curve.side === "sell" ? wh : 0;
  }

  /** A net position bid at the price the run gives the household. */
  private writeNet(j: number, netWh: number, st: HouseState, out: ShardColumns): void {
    const at = j * MAX_STEPS;
    out.steps[j] = netWh === 0 ? 0 : 1;
    out.buy[j] = netWh > 0 ? 1 : 0;
    out.stepWh[at] = Math.abs(netWh);
    out.stepTicks[at] = Number.NaN;
    out.stepBattery[at] = netWh < 0 && (st.decision?.batteryW ?? 0) > 0 ? 1 : 0;
    st.bidBuyWh = Math.max(0, netWh);
    st.bidSellWh = Math.max(0, -netWh);
  }

  /**
   * The second phase of slot t, once the market has written the fills into `out`: devices
   * decided on what each household bought and sold (safety last) and stepped, meters read.
   */
  act(t: number, out: ShardColumns): void {
    const { prof, minutes } = this;
    const start = this.cal.startMs[t] as number;
    for (let j = 0; j < this.count; j++) {
      const h = this.households[j] as Household;
      const st = this.houses[j] as HouseState;
      const load = st.loadWh;
      const pv = st.pvWh;
      let net = load - pv;
      let used = load;
      let batteryW = 0;
      if (st.agent && st.decision) {
        const state = this.stateOf(h, st, t);
        const dWh = prof.drawWh(h, t);
        const bought = out.boughtWh[j] as number;
        const sold = out.soldWh[j] as number;
        // a planner's devices follow its fills (given in full, the decision its bid was made on);
        // local controls (no planner) do what they decided
        const d =
          st.curve && (bought < st.bidBuyWh || sold < st.bidSellWh)
            ? st.agent.decide(
                start,
                state,
                { netLoadWh: net, drawWh: dWh },
                {
                  market: {
                    bid: { buyWh: st.bidBuyWh, sellWh: st.bidSellWh },
                    got: { boughtWh: bought, soldWh: sold },
                  },
                },
              )
            : st.decision;
        // heat bid for and not run moves to the slot its bid was worth (the agents at home plan
        // again; here that would cost more than the rest of the run): a battery that charged or
        // discharged less keeps its plan, the safety layer holding its window
        st.agent.deferHeat(d);
        net = d.netWh;
        batteryW = d.batteryW;
        used += stepDevices(h, st, d, dWh, prof.evSession(h, t), start, minutes, this.safety);
        st.decision = d;
        st.agent.afterSlot(d, this.stateOf(h, st, t));
      }
      st.history?.record(start, load, pv);
      out.net[j] = net;
      out.used[j] = used;
      out.pv[j] = pv;
      out.batteryW[j] = batteryW;
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
