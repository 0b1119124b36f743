import type { HubRest } from "@openlem/client";
import type { MeterReading } from "@openlem/protocol";
import { HouseholdHistory } from "../forecast/history.js";
import { HouseholdAgent, type SlotDecision } from "./agent.js";
import { Bidding } from "./bidding.js";
import { DeviceControl } from "./device-control.js";
import type { DevicePort } from "./device-port.js";
import { type FillEvent, FillWatch } from "./fill-watch.js";
import { HubLink } from "./hub-link.js";
import { MemoryFile } from "./memory-file.js";
import { MeterReport } from "./meter-report.js";
import type { HouseholdSpec } from "./spec.js";

export { type FillReport, fillShortfall } from "./fill-watch.js";
export { hubProblem } from "./hub-link.js";
export type { DevicePort };

export type LoopEvent =
  | { type: "planned"; fromMs: number; slots: number }
  | { type: "submitted"; slot: string; netWh: number }
  | { type: "applied"; decision: SlotDecision }
  | { type: "reading"; reading: MeterReading }
  | { type: "hub"; reachable: boolean; reason?: string }
  /** Readings kept for the hub while it is away (0: all sent). */
  | { type: "waiting"; readings: number }
  /** The meter's registers look wrong; what was done about it. */
  | { type: "meter"; problem: string }
  | Extract<FillEvent, { type: "filled" }>
  | { type: "released" }
  | { type: "error"; error: unknown };

export interface LoopOptions {
  spec: HouseholdSpec;
  /** The hub; null: none configured, the devices run under local control. */
  hub: HubRest | null;
  /** Why there is no hub, as the user should read it (default "no hub configured"). */
  noHubReason?: string;
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
  /** Local time (default Date.now); the hub's clock is followed whenever it answers. */
  now?: () => number;
  /** Most power the household's meter can see (W, default 50 kW): a faster register rise is implausible. */
  meterMaxPowerW?: number;
  onEvent?: (e: LoopEvent) => void;
}

/**
 * The household agent loop. Each tick follows the hub's market clock (`HubLink`); when a new
 * slot starts it applies the decision for it, and between slot starts the safety supervisor
 * holds the decision against the devices' hard limits (`DeviceControl`). The meter's registers
 * are read every tick and reported with the time they were read (`MeterReport`). Before the
 * next gate closes it plans and bids (`Bidding`). This class only orders those parts and keeps
 * the household's memory.
 *
 * Whatever fails (hub, token, network, a planning bug, a device call) ends in the local
 * default behaviour under the safety layer, applied first; then the failure is reported as
 * an event. Device work never waits for the hub: `supervise()` can run at any time, and a
 * tick does the devices' part before it asks the hub anything.
 */
export class HouseholdLoop {
  private agent: HouseholdAgent | undefined;
  private history: HouseholdHistory | undefined;
  private readonly file: MemoryFile | undefined;
  private readonly link: HubLink;
  private readonly steering: DeviceControl;
  private readonly meter: MeterReport;
  private readonly bidding: Bidding;
  private readonly fills: FillWatch;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(readonly options: LoopOptions) {
    this.file = options.statePath ? new MemoryFile(options.statePath) : undefined;
    const emit = (e: LoopEvent) => this.emit(e);
    this.link = new HubLink({
      hub: options.hub,
      noHubReason: options.noHubReason,
      now: options.now,
      onChange: (e) => emit({ type: "hub", ...e }),
    });
    this.steering = new DeviceControl({ devices: options.devices, link: this.link, emit });
    this.meter = new MeterReport({
      devices: options.devices,
      link: this.link,
      maxPowerW: options.meterMaxPowerW ?? 50_000,
      emit,
    });
    this.fills = new FillWatch({ link: this.link, emit });
    this.bidding = new Bidding({
      devices: options.devices,
      link: this.link,
      horizonSlots: options.horizonSlots,
      replanMs: options.replanMs,
      orderPrefix: options.orderPrefix,
      bidUntilMs: options.bidUntilMs,
      emit,
    });
  }

  get memory() {
    return this.agent?.memory;
  }

  /** The agent (after the first tick); node and bridge set overrides through it. */
  get householdAgent(): HouseholdAgent | undefined {
    return this.agent;
  }

  /** Who steers the devices now: the market plan, or local control and why. */
  get control(): { mode: "market" | "local"; why: string | null } {
    const why = this.link.problem;
    return { mode: why ? "local" : "market", why };
  }

  /** The decision in force (after safety), or null before the first slot start. */
  get decision(): SlotDecision | null {
    return this.steering.decision;
  }

  start(intervalMs = 5_000): void {
    this.stopped = false;
    this.steering.stopped = false;
    const run = () => {
      this.running ??= this.tick().finally(() => {
        this.running = null;
      });
    };
    run();
    this.timer = setInterval(run, intervalMs);
  }

  /**
   * Stops the loop. With `handBack` (the default) the devices are handed back to their own
   * control through the port's `release` (a bridge stopping for good); without, they stay as
   * they are (a loop replaced by another in the same process).
   */
  async stop(o: { handBack?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.steering.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.steering.idle();
    if ((o.handBack ?? true) && this.options.devices.release) {
      await this.options.devices.release();
      this.emit({ type: "released" });
    }
  }

  /** New price limits or device options: the same memory, plan and meter, re-planned at once. */
  setSpec(spec: HouseholdSpec): void {
    this.options.spec = spec;
    if (!this.agent) return;
    const memory = this.agent.memory;
    memory.plannedAtMs = null;
    this.agent = new HouseholdAgent(spec, memory.minutes, memory);
  }

  /** The hub's time as best known without asking it; null before it ever answered. */
  estimatedNow(): number | null {
    return this.link.estimatedNow();
  }

  /**
   * Holds the decision in force against the devices' hard limits with their state now. The
   * front ends call it whenever a device reports; the tick calls it too. It never asks the hub.
   */
  async supervise(): Promise<void> {
    await this.steering.supervise(this.agent);
  }

  /** Applies the decision in force again (a device controller restarted and may have lost it). */
  async reapply(): Promise<void> {
    await this.steering.reapply(this.agent);
  }

  /** One step of the loop; safe to call at any time and as often as wanted. It never throws. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const estimate = this.link.estimatedNow();
      if (estimate !== null) await this.deviceWork(estimate);
      const { now, nextOpenMs } = await this.link.ask();
      this.followSlotLength();
      await this.deviceWork(now);
      const agent = await this.loadAgent();
      // the slot under way decided before its fills were known: decided again on them
      const known = await this.fills.read(now, agent);
      if (known.length > 0) {
        if (known.some((f) => f.startMs === this.decision?.startMs))
          await this.steering.redecide(now, agent, this.history);
        await this.save();
      }
      if (await this.meter.report(now, agent, this.history, this.steering.recent)) await this.save();
      if (nextOpenMs !== null && (await this.bidding.bid(now, nextOpenMs, agent, this.history, this.decision)))
        await this.save();
    } catch (error) {
      // a bug in planning or bookkeeping: the devices keep what safety last gave them
      this.emit({ type: "error", error });
    }
  }

  private emit(e: LoopEvent): void {
    try {
      this.options.onEvent?.(e);
    } catch {
      // a listener's failure must not stop the devices' control
    }
  }

  /** An agent made before the hub first answered assumed 15-minute slots. */
  private followSlotLength(): void {
    const minutes = this.link.community?.market.slotMinutes;
    if (this.agent && minutes !== undefined && this.agent.memory.minutes !== minutes)
      this.agent = new HouseholdAgent(this.options.spec, minutes, this.agent.memory);
  }

  private async loadAgent(): Promise<HouseholdAgent> {
    if (this.agent) return this.agent;
    const minutes = this.link.community?.market.slotMinutes ?? 15;
    const stored = await this.file?.load().catch(() => undefined);
    this.agent = new HouseholdAgent(this.options.spec, minutes, stored);
    this.history = new HouseholdHistory({ minutes: this.agent.memory.minutes }, this.agent.memory.history);
    return this.agent;
  }

  private async deviceWork(now: number): Promise<void> {
    const agent = await this.loadAgent();
    if (await this.steering.atTime(now, agent, this.history)) await this.save();
  }

  private async save(): Promise<void> {
    if (!this.agent || !this.file) return;
    try {
      await this.file.save(this.agent.memory);
    } catch (error) {
      this.emit({ type: "error", error });
    }
  }
}
