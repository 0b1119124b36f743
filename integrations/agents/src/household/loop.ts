import { HubError, type HubRest } from "@openlem/client";
import type { Community, MeterReading, SlotResult } from "@openlem/protocol";
import { type DeviceState, type ForecastSlot, HouseholdAgent, type SlotDecision } from "./agent.js";
import { MemoryFile } from "./memory-file.js";
import type { HouseholdSpec } from "./spec.js";

const DAY_MS = 86_400_000;

/** The household's devices, as the bridge or the Node-RED flow sees them. */
export interface DevicePort {
  read(): Promise<DeviceState>;
  /** The household's own expectation per slot from `fromMs`: inflexible load minus PV, and hot-water draws. */
  forecast(fromMs: number, slots: number, minutes: number): Promise<{ netLoadWh: number[]; drawWh: number[] }>;
  apply(decision: SlotDecision): Promise<void>;
  /** The meters' cumulative registers now, to report to the hub; null when none. */
  meter?(): Promise<Omit<MeterReading, "at"> | null>;
}

export type LoopEvent =
  | { type: "planned"; fromMs: number; slots: number }
  | { type: "submitted"; slot: string; netWh: number }
  | { type: "applied"; decision: SlotDecision }
  | { type: "reading"; reading: MeterReading }
  | { type: "hub"; reachable: boolean; reason?: string }
  | { type: "error"; error: unknown };

export interface LoopOptions {
  spec: HouseholdSpec;
  hub: HubRest;
  devices: DevicePort;
  /** Where the agent's memory lives between restarts; none: in memory only. */
  statePath?: string;
  /** Slots planned ahead (default one day). */
  horizonSlots?: number;
  /** Re-plan when the plan is older than this (default one hour). */
  replanMs?: number;
  /**
   * Names this loop's orders (default "agent"). Several loops for one household (a boiler
   * and a battery steered apart) each need their own, or one would replace the other's.
   */
  orderPrefix?: string;
  /** No orders for slots that start at or after this instant (ms; a planned end of a run). */
  bidUntilMs?: number;
  /** Local time when the hub cannot be asked (default Date.now). */
  now?: () => number;
  onEvent?: (e: LoopEvent) => void;
}

/**
 * The household agent loop: each tick follows the hub's market clock; when a new slot starts
 * it applies the decision for it (the plan where the hub took the slot's orders, else the
 * local default behaviour) and reports the meters; before the next gate closes it plans and
 * submits that slot's orders. Prices are forecast from the last day's results (the same slot
 * a day earlier), falling back to the utility's tariff. Call `tick` on a timer (`start`).
 */
export class HouseholdLoop {
  private agent: HouseholdAgent | undefined;
  private community: Community | undefined;
  private readonly file: MemoryFile | undefined;
  private lastApplied: number | null = null;
  private lastDecision: SlotDecision | null = null;
  private reachable = true;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(readonly options: LoopOptions) {
    this.file = options.statePath ? new MemoryFile(options.statePath) : undefined;
  }

  get memory() {
    return this.agent?.memory;
  }

  /** The agent (after the first successful tick); node and bridge set overrides through it. */
  get householdAgent(): HouseholdAgent | undefined {
    return this.agent;
  }

  start(intervalMs = 5_000): void {
    const run = () => {
      this.running ??= this.tick().finally(() => {
        this.running = null;
      });
    };
    run();
    this.timer = setInterval(run, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private emit(e: LoopEvent): void {
    this.options.onEvent?.(e);
  }

  private setReachable(reachable: boolean, reason?: string): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.emit(reason ? { type: "hub", reachable, reason } : { type: "hub", reachable });
  }

  /** One step of the loop; safe to call at any time and as often as wanted. */
  async tick(): Promise<void> {
    const { hub, devices } = this.options;
    let now = (this.options.now ?? Date.now)();
    let nextOpenMs: number | null = null;
    try {
      this.community ??= await hub.community();
      const clock = await hub.clock();
      now = Date.parse(clock.now);
      nextOpenMs = Date.parse(clock.nextOpenSlot);
      this.setReachable(true);
    } catch (err) {
      if (!(err instanceof HubError) || !err.unreachable) throw err;
      this.setReachable(false, err.message);
    }
    const minutes = this.community?.market.slotMinutes ?? 15;
    const slotMs = minutes * 60_000;
    if (!this.agent) {
      const stored = await this.file?.load();
      this.agent = new HouseholdAgent(this.options.spec, minutes, stored);
    }
    const agent = this.agent;
    const current = Math.floor(now / slotMs) * slotMs;

    if (this.lastApplied !== current) {
      const state = await devices.read();
      if (this.lastDecision) agent.afterSlot(this.lastDecision, state);
      const f = await devices.forecast(current, 1, minutes);
      const accepted = agent.memory.submitted.includes(current);
      const decision = agent.decide(
        current,
        state,
        { netLoadWh: f.netLoadWh[0] ?? 0, drawWh: f.drawWh[0] ?? 0 },
        !accepted || !this.reachable,
      );
      await devices.apply(decision);
      this.lastApplied = current;
      this.lastDecision = decision;
      this.emit({ type: "applied", decision });
      await this.report(current);
      await this.save();
    }

    if (nextOpenMs === null || !this.community || !this.reachable) return;
    if (agent.memory.submitted.includes(nextOpenMs)) return;
    if (this.options.bidUntilMs !== undefined && nextOpenMs >= this.options.bidUntilMs) return;
    const m = agent.memory;
    const stale = m.plannedAtMs === null || now - m.plannedAtMs >= (this.options.replanMs ?? 3_600_000);
    if (stale || !agent.covers(nextOpenMs)) {
      const horizon = this.options.horizonSlots ?? Math.round(DAY_MS / slotMs);
      const forecast = await this.forecast(nextOpenMs, horizon, minutes);
      let state = await devices.read();
      let element: { on: boolean; runSlots: number } | undefined;
      // the plan starts after the slot under way: from where that slot's decision leaves the devices
      const d = this.lastDecision;
      if (d && d.startMs + slotMs === nextOpenMs) {
        const drawWh = (await devices.forecast(d.startMs, 1, minutes)).drawWh[0] ?? 0;
        state = agent.stateAfter(d, state, drawWh);
        element = agent.elementAfter(d);
      }
      agent.plan(forecast, state, now, element);
      this.emit({ type: "planned", fromMs: nextOpenMs, slots: horizon });
    }
    const netWh = agent.plannedNetWh(nextOpenMs) ?? 0;
    const slot = new Date(nextOpenMs).toISOString();
    const i = agent.planIndex(nextOpenMs);
    const source = i >= 0 && (m.batteryW[i] ?? 0) > 0 ? "battery" : "pv";
    try {
      const orders = agent.orders(slot, netWh, this.community.market, source, this.options.orderPrefix);
      // a plan that neither buys nor sells the slot has nothing to send, and is still the plan
      if (orders.length > 0) await hub.submitOrders(orders);
      m.submitted.push(nextOpenMs);
      this.emit({ type: "submitted", slot, netWh });
      await this.save();
    } catch (err) {
      if (err instanceof HubError && err.unreachable) this.setReachable(false, err.message);
      else this.emit({ type: "error", error: err });
    }
  }

  private async forecast(fromMs: number, n: number, minutes: number): Promise<ForecastSlot[]> {
    const { hub, devices } = this.options;
    const market = this.community?.market;
    const slotMs = minutes * 60_000;
    const own = await devices.forecast(fromMs, n, minutes);
    const byStart = new Map<number, SlotResult>();
    try {
      const past = await hub.results({
        from: new Date(fromMs - DAY_MS).toISOString(),
        to: new Date(fromMs - DAY_MS + n * slotMs).toISOString(),
      });
      for (const r of past) byStart.set(Date.parse(r.slot), r);
    } catch (err) {
      if (!(err instanceof HubError)) throw err;
    }
    const retail = market?.retailPrice ?? Number.NaN;
    const feedIn = market?.feedInTariff ?? Number.NaN;
    return Array.from({ length: n }, (_, t) => {
      const startMs = fromMs + t * slotMs;
      const seen = byStart.get(startMs - DAY_MS);
      const local = seen?.markets.find((x) => x.averagePrice !== null)?.averagePrice ?? null;
      return {
        startMs,
        buyPrice: local ?? retail,
        sellPrice: local ?? feedIn,
        netLoadWh: own.netLoadWh[t] ?? 0,
        drawWh: own.drawWh[t] ?? 0,
      };
    });
  }

  private async report(slotStartMs: number): Promise<void> {
    const m = await this.options.devices.meter?.();
    if (!m) return;
    const reading: MeterReading = { ...m, at: new Date(slotStartMs).toISOString() };
    try {
      await this.options.hub.submitReadings([reading]);
      this.emit({ type: "reading", reading });
    } catch (err) {
      // registers are cumulative: the next reading covers this one
      if (err instanceof HubError && err.unreachable) this.setReachable(false, err.message);
      else this.emit({ type: "error", error: err });
    }
  }

  private async save(): Promise<void> {
    if (this.agent && this.file) await this.file.save(this.agent.memory);
  }
}
