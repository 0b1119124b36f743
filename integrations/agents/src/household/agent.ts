import {
  DAY_MS,
  MeterReading,
  type Order,
  type OrderInput,
  orderEnergyWh,
  priceToTicks,
  slotMs,
  ticksToPrice,
} from "@openlem/protocol";
import { z } from "zod";
import { batteryStep } from "../devices/battery.js";
import { boilerStep } from "../devices/boiler.js";
import type { EvSession } from "../devices/ev.js";
import { HistoryMemory } from "../forecast/history.js";
import { safeBatteryPower, safeBoiler, safeEvPower } from "../safety/safety.js";
import { planBattery } from "../strategies/battery-plan.js";
import { legionellaThresholdC, planBoiler } from "../strategies/boiler-plan.js";
import { planEv } from "../strategies/ev-plan.js";
import { relativeLimit } from "../strategies/ramps.js";
import { type BidBounds, type PlanValues, planValues, type SlotBid, slotBid } from "../strategies/value-bids.js";
import { SamplerMemory } from "./meter-sampler.js";
import type { HouseholdSpec } from "./spec.js";

/** One slot of the planning horizon: prices and the household's own expected energy. */
export interface ForecastSlot {
  startMs: number;
  /** Price of importing / exporting a kWh; NaN where nothing is known. */
  buyPrice: number;
  sellPrice: number;
  /** Inflexible consumption minus own PV (Wh, + import). */
  netLoadWh: number;
  /** How far that may stray (Wh, `HouseholdForecast.netLoadSpreadWh`; none: 0). */
  netLoadSpreadWh?: number;
  /** Expected hot-water draw (Wh of heat). */
  drawWh: number;
}

/** What the devices report now. */
export interface DeviceState {
  socWh?: number | undefined;
  tempC?: number | undefined;
  /** Whether the boiler's element is switched on, where the device says so. */
  boilerOn?: boolean | undefined;
  ev?: { session: EvSession | null; chargedWh: number } | undefined;
}

export type BoilerOverride = "auto" | "on" | "off";

/** What a slot's orders got, from the utility and the neighbours together (Wh). */
export const SlotFills = z.object({ startMs: z.number(), boughtWh: z.number(), soldWh: z.number() });
export type SlotFills = z.output<typeof SlotFills>;

/** The agent's memory: its plan and what it must remember across restarts (JSON). */
export const AgentMemory = z.object({
  minutes: z.number().int().positive(),
  planFromMs: z.number().nullable(),
  plannedAtMs: z.number().nullable(),
  batteryW: z.array(z.number()),
  boilerOn: z.array(z.boolean()),
  evW: z.array(z.number()),
  netLoadWh: z.array(z.number()),
  netLoadSpreadWh: z.array(z.number()).default([]),
  buyPrice: z.array(z.number().nullable()),
  boilerWasOn: z.boolean(),
  boilerRunSlots: z.number().int().min(1),
  lastLegionellaMs: z.number().nullable(),
  override: z.enum(["auto", "on", "off"]),
  /** Slots whose orders the hub accepted (UTC start, ms). */
  submitted: z.array(z.number()),
  /** The meter's last read and what was sent, so a restart never re-sends an old time. */
  meter: SamplerMemory.default({ last: null, sentUpToMs: null }),
  /** Readings the hub has not taken yet (it was away): sent, oldest first, when it is back. */
  pendingReadings: z.array(MeterReading).default([]),
  /** The household's own load and PV over the last days, slot by slot: its forecasts come from them. */
  history: HistoryMemory.default({ startMs: [], loadWh: [], pvWh: [] }),
  /** What was bid for each slot (the hub's order ids, the energy each way), to read its fills by. */
  bids: z
    .array(z.object({ startMs: z.number(), orderIds: z.array(z.string()), buyWh: z.number(), sellWh: z.number() }))
    .default([]),
  /** What the market gave for each cleared slot the agent bid for (Wh, from its fills). */
  fills: z.array(SlotFills).default([]),
  /** The registers at the last slot boundary, to tell one slot's energy from the next. */
  lastBoundary: z
    .object({ atMs: z.number(), importWh: z.number(), exportWh: z.number(), productionWh: z.number().nullable() })
    .nullable()
    .default(null),
});
export type AgentMemory = z.output<typeof AgentMemory>;

/** A plan's bid bounds and values, with the plan arrays and tariff they were worked out for. */
interface ValuesCache {
  tariff: { retailPrice: number; feedInTariff: number };
  buyPrice: AgentMemory["buyPrice"];
  boilerOn: AgentMemory["boilerOn"];
  batteryW: AgentMemory["batteryW"];
  bounds: BidBounds;
  values: PlanValues;
}

/** A slot's bid (Wh to buy and to sell) and its fills. */
export interface SlotMarketAnswer {
  bid: { buyWh: number; sellWh: number };
  got: { boughtWh: number; soldWh: number };
}

/** What the devices do in one slot, and why. */
export interface SlotDecision {
  startMs: number;
  /** Battery set-point, W, + discharge. */
  batteryW: number;
  boilerOn: boolean;
  /** The element heats for safety (a cold tank, legionella, an override): it would whatever the plan said. */
  boilerNeeded?: boolean;
  evW: number;
  /** Expected grid energy of the slot (Wh, + import). */
  netWh: number;
  mode: "plan" | "fallback";
  why: string[];
}

export interface Expected {
  netLoadWh: number;
  drawWh: number;
}

/**
 * A household's agent, pure: it plans its flexible devices over a price forecast (EV and
 * boiler first, then the battery around the resulting load), turns the plan into orders, and
 * decides each slot's control with the safety layer applied last. Where no plan covers a
 * slot, or the hub did not take its orders, the devices follow their local default behaviour:
 * the boiler's thermostat, the battery's self-consumption, the EV charging at once.
 */
export class HouseholdAgent {
  readonly memory: AgentMemory;
  private valuesCache: ValuesCache | null = null;

  constructor(
    readonly spec: HouseholdSpec,
    minutes: number,
    memory?: AgentMemory,
  ) {
    this.memory =
      memory && memory.minutes === minutes
        ? structuredClone(memory)
        : {
            minutes,
            planFromMs: null,
            plannedAtMs: null,
            batteryW: [],
            boilerOn: [],
            evW: [],
            netLoadWh: [],
            netLoadSpreadWh: [],
            buyPrice: [],
            boilerWasOn: false,
            boilerRunSlots: 1,
            lastLegionellaMs: null,
            override: "auto",
            submitted: [],
            meter: { last: null, sentUpToMs: null },
            pendingReadings: [],
            history: { startMs: [], loadWh: [], pvWh: [] },
            bids: [],
            fills: [],
            lastBoundary: null,
          };
  }

  private get slotMs(): number {
    return slotMs(this.memory.minutes);
  }

  /**
   * The devices' state at the end of the slot `d` decided, from their state at its start:
   * what a plan that starts with the next slot begins from.
   */
  stateAfter(d: SlotDecision, state: DeviceState, drawWh: number): DeviceState {
    const { spec } = this;
    const minutes = this.memory.minutes;
    return {
      socWh:
        spec.battery && state.socWh !== undefined
          ? batteryStep(spec.battery, state.socWh, d.batteryW, minutes)
          : state.socWh,
      tempC:
        spec.boiler && state.tempC !== undefined
          ? boilerStep(spec.boiler, state.tempC, d.boilerOn, drawWh, minutes)
          : state.tempC,
      ev: state.ev
        ? { session: state.ev.session, chargedWh: state.ev.chargedWh + Math.round((d.evW * minutes) / 60) }
        : undefined,
    };
  }

  /** The element's state going into the slot after `d`. */
  elementAfter(d: SlotDecision): { on: boolean; runSlots: number } {
    const m = this.memory;
    return { on: d.boilerOn, runSlots: d.boilerOn === m.boilerWasOn ? Math.min(1000, m.boilerRunSlots + 1) : 1 };
  }

  setOverride(o: BoilerOverride): void {
    this.memory.override = o;
  }

  /**
   * Plans the devices over the forecast (consecutive slots). `state` is the devices' state at
   * the start of the forecast's first slot; `element` the boiler element's state going into
   * it when a decision for the slot before is already taken (default: the last slot's).
   */
  plan(
    forecast: readonly ForecastSlot[],
    state: DeviceState,
    nowMs = forecast[0]?.startMs ?? 0,
    element?: { on: boolean; runSlots: number },
  ): void {
    const { spec } = this;
    const m = this.memory;
    const minutes = m.minutes;
    const first = forecast[0];
    if (!first) return;
    m.lastLegionellaMs ??= nowMs;
    const n = forecast.length;
    const buy = forecast.map((f) => f.buyPrice);
    let evW = new Array<number>(n).fill(0);
    const session = state.ev?.session;
    if (spec.ev && session) {
      evW = planEv({
        session,
        chargedWh: state.ev?.chargedWh ?? 0,
        minutes,
        slots: forecast.map((f) => ({ startMs: f.startMs, price: f.buyPrice })),
      });
    }
    let boilerOn = new Array<boolean>(n).fill(false);
    if (spec.boiler && state.tempC !== undefined) {
      const deadline = m.lastLegionellaMs + spec.boiler.legionellaEveryDays * DAY_MS;
      const bySlot = Math.floor((deadline - first.startMs) / this.slotMs) - 1;
      boilerOn = planBoiler({
        spec: spec.boiler,
        tempC: state.tempC,
        minutes,
        price: buy,
        drawWh: forecast.map((f) => f.drawWh),
        minOnSlots: spec.boilerMinOnSlots,
        minOffSlots: spec.boilerMinOffSlots,
        on: element?.on ?? m.boilerWasOn,
        runSlots: element?.runSlots ?? m.boilerRunSlots,
        resolutionK: spec.boilerResolutionK,
        ...(bySlot >= 0 && bySlot < n ? { legionellaBySlot: bySlot } : {}),
      }).on;
    }
    const slotH = minutes / 60;
    const flexLoad = forecast.map(
      (f, t) => f.netLoadWh + (boilerOn[t] ? (spec.boiler?.heaterW ?? 0) * slotH : 0) + (evW[t] ?? 0) * slotH,
    );
    let batteryW = new Array<number>(n).fill(0);
    if (spec.battery && state.socWh !== undefined) {
      batteryW = planBattery({
        spec: spec.battery,
        socWh: state.socWh,
        minutes,
        buyPrice: buy,
        sellPrice: forecast.map((f) => f.sellPrice),
        netLoadWh: flexLoad,
        levels: spec.batteryLevels,
      }).powerW;
    }
    // the slots from now to the new plan's start are bid for already: their plan stays
    const kept: number[] = [];
    const len = this.slotMs;
    for (let t = Math.floor(nowMs / len) * len; t < first.startMs; t += len) {
      const k = this.planIndex(t);
      if (k >= 0) kept.push(k);
    }
    const keep = <T>(old: readonly T[], fresh: readonly T[]) => [...kept.map((k) => old[k] as T), ...fresh];
    m.planFromMs = first.startMs - kept.length * len;
    m.plannedAtMs = nowMs;
    m.batteryW = keep(m.batteryW, batteryW);
    m.boilerOn = keep(m.boilerOn, boilerOn);
    m.evW = keep(m.evW, evW);
    m.netLoadWh = keep(
      m.netLoadWh,
      forecast.map((f) => f.netLoadWh),
    );
    m.netLoadSpreadWh = keep(
      m.netLoadSpreadWh,
      forecast.map((f) => f.netLoadSpreadWh ?? 0),
    );
    m.buyPrice = keep(
      m.buyPrice,
      buy.map((p) => (Number.isFinite(p) ? p : null)),
    );
  }

  /** Index of the slot in the current plan, or -1. */
  planIndex(startMs: number): number {
    const from = this.memory.planFromMs;
    if (from === null) return -1;
    const i = Math.round((startMs - from) / this.slotMs);
    return i >= 0 && i < this.memory.batteryW.length ? i : -1;
  }

  /** Whether a plan covers this slot. */
  covers(startMs: number): boolean {
    return this.planIndex(startMs) >= 0;
  }

  /**
   * The control for a slot: the plan's (or, with `localDefault`, the local default), then the
   * safety layer with the devices' real state.
   */
  decide(
    startMs: number,
    state: DeviceState,
    expected: Expected,
    {
      localDefault = false,
      market,
    }: {
      localDefault?: boolean;
      /** The slot's bid and fills, where the caller holds them (the simulator); else the agent's memory. */
      market?: SlotMarketAnswer;
    } = {},
  ): SlotDecision {
    const { spec } = this;
    const m = this.memory;
    const minutes = m.minutes;
    const i = localDefault ? -1 : this.planIndex(startMs);
    const mode = i >= 0 ? "plan" : "fallback";
    const why: string[] = [];
    const slotH = minutes / 60;
    const shed =
      i >= 0 ? this.unfilled(i, market ?? this.marketAnswer(startMs)) : { boilerOff: false, batteryW: 0, why: [] };

    let evW = 0;
    const session = state.ev?.session;
    if (spec.ev && session) {
      const wanted = i >= 0 ? (m.evW[i] ?? 0) : spec.ev.maxPowerW;
      evW = safeEvPower(session, state.ev?.chargedWh ?? 0, startMs, wanted, minutes);
      if (evW > wanted) why.push("EV: charging now to reach the target by departure");
    }

    let boilerOn = false;
    let boilerNeeded = false;
    if (spec.boiler && state.tempC !== undefined) {
      const b = spec.boiler;
      let wanted: boolean;
      if (m.override === "on") wanted = true;
      else if (m.override === "off") wanted = false;
      else if (i >= 0) wanted = (m.boilerOn[i] ?? false) && !shed.boilerOff;
      else wanted = state.tempC < b.targetTempC - 2 || (m.boilerWasOn && state.tempC < b.targetTempC); // thermostat
      const overdue = m.lastLegionellaMs !== null && startMs >= m.lastLegionellaMs + b.legionellaEveryDays * DAY_MS;
      const d = safeBoiler(b, {
        tempC: state.tempC,
        plannedOn: wanted,
        expectedDrawWh: expected.drawWh,
        minutes,
        legionellaOverdue: overdue,
      });
      boilerOn = d.on;
      // heat the plan chose that safety would ask for anyway is the house's need, not a flexible use
      boilerNeeded =
        d.on &&
        (m.override === "on" ||
          !wanted ||
          safeBoiler(b, {
            tempC: state.tempC,
            plannedOn: false,
            expectedDrawWh: expected.drawWh,
            minutes,
            legionellaOverdue: overdue,
          }).on);
      if (d.override === "below-minimum") why.push("boiler: heating, the water would fall below its minimum");
      if (d.override === "above-maximum") why.push("boiler: off, the water is at its maximum");
      if (d.override === "legionella") why.push("boiler: anti-legionella heat is due");
      if (m.override !== "auto") why.push(`boiler: override ${m.override}`);
    }

    let batteryW = 0;
    const load = expected.netLoadWh + (boilerOn ? (spec.boiler?.heaterW ?? 0) * slotH : 0) + evW * slotH;
    if (spec.battery && state.socWh !== undefined) {
      // self-consumption when no plan: discharge what the house draws, charge what it exports
      const wanted = i >= 0 ? (m.batteryW[i] ?? 0) + shed.batteryW : Math.round(load / slotH);
      batteryW = safeBatteryPower(spec.battery, state.socWh, wanted, minutes);
      if (batteryW !== wanted && i >= 0) why.push("battery: limited to its power and state-of-charge window");
    }
    const netWh = Math.round(load - batteryW * slotH);
    // after the safety reasons: a boiler that heats anyway is not said to be off
    why.push(...shed.why.filter((w) => !(boilerOn && w.startsWith("boiler:"))));
    if (mode === "fallback") why.unshift("no market plan for this slot: local default behaviour");
    return { startMs, batteryW, boilerOn, boilerNeeded, evW, netWh, mode, why };
  }

  /**
   * What the plan leaves out of slot `i` because the market did not give it: a buy that did
   * not fill is energy the household would not pay the utility's price for, so the least
   * valuable uses go first (the battery's charge, then the boiler); a sell that did not fill
   * leaves the battery's discharge out (the house's own load it still covers). Safety comes
   * after this and may heat or charge anyway. Nothing is left out before the fills are known.
   */
  private unfilled(
    i: number,
    answer: SlotMarketAnswer | null,
  ): { boilerOff: boolean; batteryW: number; why: string[] } {
    const m = this.memory;
    const out = { boilerOff: false, batteryW: 0, why: [] as string[] };
    if (!answer) return out;
    const { bid, got } = answer;
    const slotH = m.minutes / 60;
    let shortWh = bid.buyWh - got.boughtWh;
    if (shortWh > 0) {
      const bought = `(${got.boughtWh} of ${bid.buyWh} Wh bought)`;
      const chargeW = Math.max(0, -(m.batteryW[i] ?? 0));
      const heaterWh = m.boilerOn[i] ? (this.spec.boiler?.heaterW ?? 0) * slotH : 0;
      const shedCharge = () => {
        const cutW = Math.min(chargeW, Math.ceil(shortWh / slotH));
        if (cutW <= 0) return;
        out.batteryW += cutW;
        shortWh -= cutW * slotH;
        out.why.push(`battery: ${cutW} W less charge, its buy did not fill ${bought}`);
      };
      const shedHeat = () => {
        if (heaterWh <= 0 || shortWh < heaterWh / 2) return;
        out.boilerOff = true;
        shortWh -= heaterWh;
        out.why.push(`boiler: off, its buy did not fill ${bought}`);
      };
      // the curve fills its dearest uses first: what did not fill is the least valuable
      const values = this.currentValues()?.values;
      if (values && (values.boiler[i] ?? 0) < (values.charge[i] ?? 0)) {
        shedHeat();
        shedCharge();
      } else {
        shedCharge();
        shedHeat();
      }
    }
    const unsoldWh = bid.sellWh - got.soldWh;
    const dischargeW = Math.max(0, m.batteryW[i] ?? 0);
    if (unsoldWh > 0 && dischargeW > 0) {
      const cutW = Math.min(dischargeW, Math.ceil(unsoldWh / slotH));
      out.batteryW -= cutW;
      out.why.push(`battery: ${cutW} W less discharge, its sell did not fill (${got.soldWh} of ${bid.sellWh} Wh sold)`);
    }
    return out;
  }

  /**
   * Heat the plan chose for a slot but did not run (its buy did not fill) moves to the slot its
   * bid was worth: the cheapest later slot the plan leaves the element off in. A repair of the
   * plan where planning again costs too much (the simulator's thousands of households); the
   * next plan or the safety layer puts right whatever it misses.
   */
  deferHeat(d: SlotDecision): void {
    const m = this.memory;
    const i = this.planIndex(d.startMs);
    if (i < 0 || !m.boilerOn[i] || d.boilerOn) return;
    let best = -1;
    for (let j = i + 1; j < m.boilerOn.length; j++) {
      const p = m.buyPrice[j];
      if (m.boilerOn[j] || p === null || p === undefined || !Number.isFinite(p)) continue;
      if (best < 0 || p < (m.buyPrice[best] as number)) best = j;
    }
    if (best < 0) return;
    // a new array: the plan's values are kept by its arrays' identity
    const on = [...m.boilerOn];
    on[best] = true;
    m.boilerOn = on;
  }

  /** What the agent bid for a slot and what the market gave, once both are known. */
  private marketAnswer(startMs: number): SlotMarketAnswer | null {
    const m = this.memory;
    const bid = m.bids.find((b) => b.startMs === startMs);
    const got = m.fills.find((f) => f.startMs === startMs);
    return bid && got ? { bid, got } : null;
  }

  /** The market's answer for a slot the agent bid for: what it bought and sold. */
  recordFills(f: SlotFills): void {
    const m = this.memory;
    m.fills = [...m.fills.filter((x) => x.startMs !== f.startMs), f];
    // what was not bought must be bought later, and what was not sold is still stored: plan again
    const bid = m.bids.find((b) => b.startMs === f.startMs);
    if (bid && (f.boughtWh < bid.buyWh || f.soldWh < bid.sellWh)) m.plannedAtMs = null;
  }

  /** The slots bid for whose fills are not known yet. */
  awaitingFills(): AgentMemory["bids"] {
    const known = new Set(this.memory.fills.map((f) => f.startMs));
    return this.memory.bids.filter((b) => !known.has(b.startMs));
  }

  /** The hub took a slot's orders: remembered to read their fills by. */
  recordBid(
    startMs: number,
    orders: readonly { id: string; order: Pick<Order, "side" | "steps" | "energyWh" | "limitPrice"> }[],
  ): void {
    const wh = (side: string) =>
      orders.filter((o) => o.order.side === side).reduce((a, o) => a + orderEnergyWh(o.order), 0);
    const m = this.memory;
    m.bids = [
      ...m.bids.filter((b) => b.startMs !== startMs),
      { startMs, orderIds: orders.map((o) => o.id), buyWh: wh("buy"), sellWh: wh("sell") },
    ];
  }

  /**
   * The energy the plan expects at the meter in a slot, before the slot's state is known: the
   * planned devices plus the inflexible net load. Null where no plan covers the slot.
   */
  plannedNetWh(startMs: number, expectedNetLoadWh?: number): number | null {
    const i = this.planIndex(startMs);
    if (i < 0) return null;
    const m = this.memory;
    const slotH = m.minutes / 60;
    const base = expectedNetLoadWh ?? m.netLoadWh[i] ?? 0;
    const boiler = m.boilerOn[i] ? (this.spec.boiler?.heaterW ?? 0) * slotH : 0;
    return Math.round(base + boiler + ((m.evW[i] ?? 0) - (m.batteryW[i] ?? 0)) * slotH);
  }

  /** What the devices it steers took from the meter in a slot under a decision (Wh; negative: gave). */
  devicesWh(d: SlotDecision): number {
    const slotH = this.memory.minutes / 60;
    const boiler = d.boilerOn ? (this.spec.boiler?.heaterW ?? 0) : 0;
    return Math.round((boiler + d.evW - d.batteryW) * slotH);
  }

  /** The price limits for a slot (absolute, or relative to the plan's forecast). */
  limits(tariff: { retailPrice: number; feedInTariff: number }): { buy: number; sell: number } {
    const l = this.spec.limits;
    let buy = tariff.retailPrice;
    if (typeof l.maxBuyPrice === "number") buy = l.maxBuyPrice;
    else if (l.maxBuyPrice) {
      const known = this.memory.buyPrice.map((p) => p ?? Number.NaN);
      buy = relativeLimit(known, l.maxBuyPrice.cheapestShare) ?? buy;
    }
    return { buy: ticksToPrice(priceToTicks(buy)), sell: l.minSellPrice ?? tariff.feedInTariff };
  }

  /**
   * The slot's bid as the household's curve (`slotBid`): what the house needs at its limit,
   * each flexible use at its own value. No bid where no plan covers the slot. With `now`, the
   * curve is for the slot's decision (what safety changed of the plan) and the house's expected
   * net load instead of the plan's.
   */
  bidFor(
    startMs: number,
    tariff: { retailPrice: number; feedInTariff: number },
    now?: { decision: SlotDecision; netLoadWh: number; netLoadSpreadWh?: number },
  ): SlotBid {
    const i = this.planIndex(startMs);
    if (i < 0) return { side: null, steps: [], uses: [] };
    const m = this.memory;
    const { bounds, values } = this.values(tariff);
    const use = now
      ? {
          batteryW: now.decision.batteryW,
          boilerOn: now.decision.boilerOn,
          evW: now.decision.evW,
          netLoadWh: now.netLoadWh,
          netLoadSpreadWh: now.netLoadSpreadWh ?? 0,
          boilerMustRun: now.decision.boilerOn && (now.decision.boilerNeeded === true || !m.boilerOn[i]),
        }
      : undefined;
    return slotBid(m, i, bounds, use, values);
  }

  private bounds(tariff: { retailPrice: number; feedInTariff: number }): BidBounds {
    const { buy, sell } = this.limits(tariff);
    const b = this.spec.battery;
    return {
      buyLimit: buy,
      sellLimit: sell,
      feedIn: tariff.feedInTariff,
      retail: tariff.retailPrice,
      heaterW: this.spec.boiler?.heaterW ?? 0,
      roundTrip: b ? b.roundTripEfficiency : 1,
    };
  }

  /** The values cached for the plan in memory (worked out by a bid), or null. */
  private currentValues(): ValuesCache | null {
    const m = this.memory;
    const c = this.valuesCache;
    return c && c.buyPrice === m.buyPrice && c.boilerOn === m.boilerOn && c.batteryW === m.batteryW ? c : null;
  }

  /**
   * The bounds and the plan's values (`planValues`), kept until the plan or the tariff
   * changes: a bid a slot then costs no pass over the plan.
   */
  private values(tariff: { retailPrice: number; feedInTariff: number }): { bounds: BidBounds; values: PlanValues } {
    const m = this.memory;
    const c = this.currentValues();
    if (c && c.tariff.retailPrice === tariff.retailPrice && c.tariff.feedInTariff === tariff.feedInTariff) return c;
    const bounds = this.bounds(tariff);
    this.valuesCache = {
      tariff: { ...tariff },
      buyPrice: m.buyPrice,
      boilerOn: m.boilerOn,
      batteryW: m.batteryW,
      bounds,
      values: planValues(m, bounds),
    };
    return this.valuesCache;
  }

  /**
   * The orders for a slot: the plan's curve (one order; a single price where the curve has one
   * step), or, where no plan covers it, a buy of the expected import or a sell of the expected
   * export at the limits.
   */
  orders(
    slot: string,
    netWh: number,
    tariff: { retailPrice: number; feedInTariff: number },
    source: "pv" | "battery" = "pv",
    /** Names this agent's orders; agents of one household each need their own. */
    prefix = "agent",
  ): OrderInput[] {
    const clientOrderId = `${prefix}-${slot}`;
    const bid = this.bidFor(Date.parse(slot), tariff);
    if (bid.side) {
      const [only] = bid.steps;
      const shape =
        bid.steps.length === 1 && only ? { energyWh: only.energyWh, limitPrice: only.price } : { steps: bid.steps };
      return bid.side === "buy"
        ? [{ clientOrderId, side: "buy", slot, ...shape }]
        : [
            {
              clientOrderId,
              side: "sell",
              slot,
              ...shape,
              source: bid.uses.some((u) => u.includes("battery")) ? "battery" : source,
            },
          ];
    }
    if (netWh === 0 || this.planIndex(Date.parse(slot)) >= 0) return [];
    const { buy, sell } = this.limits(tariff);
    return netWh > 0
      ? [{ clientOrderId, side: "buy", slot, energyWh: netWh, limitPrice: buy }]
      : [{ clientOrderId, side: "sell", slot, energyWh: -netWh, limitPrice: sell, source }];
  }

  /** After a slot: remember the element's state and when the tank was last hot enough. */
  afterSlot(d: SlotDecision, stateAfter: DeviceState): void {
    const m = this.memory;
    if (d.boilerOn === m.boilerWasOn) m.boilerRunSlots = Math.min(1000, m.boilerRunSlots + 1);
    else m.boilerRunSlots = 1;
    m.boilerWasOn = d.boilerOn;
    const b = this.spec.boiler;
    if (b && stateAfter.tempC !== undefined && stateAfter.tempC >= legionellaThresholdC(b, this.spec.boilerResolutionK))
      m.lastLegionellaMs = d.startMs + this.slotMs;
    m.lastLegionellaMs ??= d.startMs;
    m.submitted = m.submitted.filter((s) => s > d.startMs - DAY_MS);
    m.bids = m.bids.filter((b) => b.startMs > d.startMs - DAY_MS);
    m.fills = m.fills.filter((f) => f.startMs > d.startMs - DAY_MS);
  }
}
