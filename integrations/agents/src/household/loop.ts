import { HubError, type HubRest, Outbox } from "@openlem/client";
import { type Community, DAY_MS, HOUR_MS, type MeterReading, slotMs, slotStartMs } from "@openlem/protocol";
import { HouseholdHistory } from "../forecast/history.js";
import { superviseSlot } from "../safety/supervisor.js";
import { type DeviceState, HouseholdAgent, type SlotDecision } from "./agent.js";
import type { DevicePort } from "./device-port.js";
import { MemoryFile } from "./memory-file.js";
import { describeRegisterProblem, MeterSampler } from "./meter-sampler.js";
import { planInputs, planNetLoad } from "./plan-inputs.js";

import type { HouseholdSpec } from "./spec.js";

export type { DevicePort };

/** At most this many readings wait for the hub (about three weeks of 15-minute slots). */
const MAX_PENDING_READINGS = 2_000;

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

/** Why the devices are under local control, in words a household understands. */
export function hubProblem(err: unknown): string {
  if (err instanceof HubError) {
    if (err.unreachable) return `hub unreachable (${err.message})`;
    if (err.status === 401) return "the hub refused the device token (revoked or mistyped): make a new one in the hub";
    if (err.status === 403) return `the device token may not act for this household: ${err.message}`;
    if (err.status === 404) return `the hub does not know this community or household: ${err.message}`;
    return `the hub refused: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * The household agent loop. Each tick follows the hub's market clock; when a new slot starts
 * it applies the decision for it (the plan where the hub took the slot's orders, else the
 * local default behaviour), and between slot starts the safety supervisor holds the decision
 * against the devices' hard limits. The meter's registers are read every tick and reported
 * with the time they were read. Before the next gate closes it plans and bids.
 *
 * Whatever fails (hub, token, network, a planning bug, a device call) ends in the local
 * default behaviour under the safety layer, applied first; then the failure is reported as
 * an event. Device work never waits for the hub: `supervise()` can run at any time, and a
 * tick does the devices' part before it asks the hub anything.
 */
export class HouseholdLoop {
  private agent: HouseholdAgent | undefined;
  private community: Community | undefined;
  private readonly file: MemoryFile | undefined;
  private sampler: MeterSampler | undefined;
  private history: HouseholdHistory | undefined;
  /** The plan in force was made before the history knew a single slot: replan once it does. */
  private plannedBlind = false;
  /** The decisions of the last slots, to take the steered devices out of the metered energy. */
  private readonly recent = new Map<number, SlotDecision>();
  private lastApplied: number | null = null;
  private lastDecision: SlotDecision | null = null;
  /** The last decision reached the devices (else it is applied again on the next look). */
  private appliedOk = true;
  /** Why the hub cannot be used: it did not answer, or it refused this household's token. */
  private hubDown: string | null = null;
  private refused: string | null = null;
  private refusedStatus = 0;
  private refusedAtMs = 0;
  private shown: string | null = null;
  /** Hub time minus local time at the last answer: hub time goes on while it is away. */
  private clockOffsetMs: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  /** Device calls one at a time, in order. */
  private deviceChain: Promise<unknown> = Promise.resolve();
  private supervising: Promise<void> | null = null;
  private stopped = false;
  private readonly readings: Outbox<MeterReading, unknown>;

  constructor(readonly options: LoopOptions) {
    this.file = options.statePath ? new MemoryFile(options.statePath) : undefined;
    const hub = options.hub;
    // the readings the hub has not taken yet wait in the household's memory (and its file)
    this.readings = new Outbox<MeterReading, unknown>({
      store: {
        get: () => this.agent?.memory.pendingReadings ?? [],
        set: (v) => {
          if (this.agent) this.agent.memory.pendingReadings = v;
        },
      },
      send: (batch) => (hub ? hub.submitReadings(batch) : Promise.reject(new Error("no hub configured"))),
      field: "readings",
      perRequest: MAX_PENDING_READINGS,
      max: MAX_PENDING_READINGS,
    });
    if (!options.hub) this.hubDown = this.shown = options.noHubReason || "no hub configured";
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
    const why = this.problem;
    return { mode: why ? "local" : "market", why };
  }

  private get problem(): string | null {
    return this.hubDown ?? this.refused;
  }

  /** The decision in force (after safety), or null before the first slot start. */
  get decision(): SlotDecision | null {
    return this.lastDecision;
  }

  start(intervalMs = 5_000): void {
    this.stopped = false;
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
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.deviceChain.catch(() => undefined);
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

  private emit(e: LoopEvent): void {
    try {
      this.options.onEvent?.(e);
    } catch {
      // a listener's failure must not stop the devices' control
    }
  }

  /** The hub answered (null) or did not (why); a refused token stays refused until the hub takes a bid again. */
  private setHub(down: string | null, refused: string | null = this.refused): void {
    this.hubDown = down;
    this.refused = refused;
    const why = this.problem;
    if (why === this.shown) return;
    this.shown = why;
    this.emit(why ? { type: "hub", reachable: false, reason: why } : { type: "hub", reachable: true });
  }

  /** How a hub failure changes who steers: unreachable, or a token refused (401/403). */
  private hubFailed(err: unknown): void {
    if (!(err instanceof HubError)) return;
    if (err.unreachable) this.setHub(hubProblem(err));
    else if (err.refused) {
      this.refusedAtMs = this.localNow();
      this.refusedStatus = err.status;
      this.setHub(this.hubDown, hubProblem(err));
    }
  }

  private localNow(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The hub's time as best known without asking it; null before it ever answered. */
  estimatedNow(): number | null {
    if (this.clockOffsetMs !== null) return this.localNow() + this.clockOffsetMs;
    return this.options.now || !this.options.hub ? this.localNow() : null;
  }

  private serially<T>(f: () => Promise<T>): Promise<T> {
    const p = this.deviceChain.then(f, f);
    this.deviceChain = p.catch(() => undefined);
    return p;
  }

  /** One step of the loop; safe to call at any time and as often as wanted. It never throws. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const estimate = this.estimatedNow();
      if (estimate !== null) await this.deviceWork(estimate);
      const { now, nextOpenMs } = await this.askHub();
      await this.deviceWork(now);
      await this.reportMeter(now);
      if (nextOpenMs !== null) await this.bid(now, nextOpenMs);
    } catch (error) {
      // a bug in planning or bookkeeping: the devices keep what safety last gave them
      this.emit({ type: "error", error });
    }
  }

  /**
   * Holds the decision in force against the devices' hard limits with their state now. The
   * front ends call it whenever a device reports; the tick calls it too. It never asks the hub.
   */
  async supervise(): Promise<void> {
    // reports in a burst need one look, not one each
    let look = this.supervising;
    if (look) return look;
    look = this.serially(async () => {
      this.supervising = null;
      const now = this.estimatedNow() ?? this.localNow();
      const d = this.lastDecision;
      const agent = this.agent;
      if (!d || !agent) return;
      let state: DeviceState;
      try {
        state = await this.options.devices.read();
      } catch (error) {
        this.emit({ type: "error", error });
        return;
      }
      const checked = superviseSlot(agent.spec, d, state, now, agent.memory.minutes);
      if (checked === d && this.appliedOk) return;
      await this.applyNow(checked);
    });
    this.supervising = look;
    await look;
  }

  /** Applies the decision in force again (a device controller restarted and may have lost it). */
  async reapply(): Promise<void> {
    this.appliedOk = false;
    await this.supervise();
  }

  private async applyNow(d: SlotDecision): Promise<void> {
    // once stopping, the devices get only the hand-back
    if (this.stopped) return;
    this.lastDecision = d;
    this.recent.set(d.startMs, d);
    const keepMs = 4 * (this.agent?.memory.minutes ?? 15) * 60_000;
    for (const k of this.recent.keys()) if (k < d.startMs - keepMs) this.recent.delete(k);
    try {
      await this.options.devices.apply(d);
      this.appliedOk = true;
      this.emit({ type: "applied", decision: d });
    } catch (error) {
      this.appliedOk = false;
      this.emit({ type: "error", error });
    }
  }

  private async askHub(): Promise<{ now: number; nextOpenMs: number | null }> {
    const local = this.localNow();
    const hub = this.options.hub;
    if (!hub) return { now: this.estimatedNow() ?? local, nextOpenMs: null };
    try {
      this.community ??= await hub.community();
      const minutes = this.community.market.slotMinutes;
      // an agent made before the hub first answered assumed 15-minute slots
      if (this.agent && this.agent.memory.minutes !== minutes)
        this.agent = new HouseholdAgent(this.options.spec, minutes, this.agent.memory);
      const clock = await hub.clock();
      const now = Date.parse(clock.now);
      this.clockOffsetMs = now - local;
      // the clock needs a valid token: a 401 from before is over; a 403 (household) is not
      this.setHub(null, this.refusedStatus === 401 ? null : this.refused);
      return { now, nextOpenMs: Date.parse(clock.nextOpenSlot) };
    } catch (err) {
      if (err instanceof HubError && err.refused) this.hubFailed(err);
      else this.setHub(hubProblem(err));
      return { now: local + (this.clockOffsetMs ?? 0), nextOpenMs: null };
    }
  }

  private async loadAgent(): Promise<HouseholdAgent> {
    if (this.agent) return this.agent;
    const minutes = this.community?.market.slotMinutes ?? 15;
    const stored = await this.file?.load().catch(() => undefined);
    this.agent = new HouseholdAgent(this.options.spec, minutes, stored);
    this.history = new HouseholdHistory({ minutes: this.agent.memory.minutes }, this.agent.memory.history);
    return this.agent;
  }

  /** A slot start applies its decision; otherwise the supervisor holds the one in force. */
  private async deviceWork(now: number): Promise<void> {
    const agent = await this.loadAgent();
    const minutes = agent.memory.minutes;
    const current = slotStartMs(now, minutes);
    if (this.lastApplied === current) return this.supervise();
    await this.serially(async () => {
      const { devices } = this.options;
      let state: DeviceState = {};
      try {
        state = await devices.read();
      } catch (error) {
        this.emit({ type: "error", error });
      }
      if (this.lastDecision && this.lastDecision.startMs < current) agent.afterSlot(this.lastDecision, state);
      let drawWh = 0;
      let netLoadWh = 0;
      try {
        const f = await devices.forecast(current, 1, minutes);
        drawWh = f.drawWh[0] ?? 0;
        const o = {
          fromMs: current,
          slots: 1,
          history: this.history,
          market: this.community?.market,
          nowMs: this.estimatedNow() ?? this.localNow(),
        };
        netLoadWh = planNetLoad(o, f.netLoadWh)[0] ?? 0;
      } catch (error) {
        this.emit({ type: "error", error });
      }
      const accepted = agent.memory.submitted.includes(current);
      const decision = superviseSlot(
        agent.spec,
        agent.decide(current, state, { netLoadWh, drawWh }, { localDefault: !accepted || this.problem !== null }),
        state,
        now,
        minutes,
      );
      if (this.problem) decision.why.unshift(`local control: ${this.problem}`);
      this.lastApplied = current;
      await this.applyNow(decision);
    });
    await this.save();
  }

  /** The meter's registers as read now; boundary readings to the hub, and what waited for it. */
  private async reportMeter(now: number): Promise<void> {
    const { devices, hub } = this.options;
    const agent = this.agent;
    if (!devices.meter || !agent) return;
    let registers: Awaited<ReturnType<NonNullable<DevicePort["meter"]>>>;
    let productionWh: number | null = null;
    try {
      registers = await devices.meter();
    } catch (error) {
      this.emit({ type: "error", error });
      return;
    }
    try {
      // the production register only sharpens the forecast: without it the meter is reported all the same
      productionWh = (await devices.production?.()) ?? null;
    } catch (error) {
      this.emit({ type: "error", error });
    }
    const m = agent.memory;
    if (registers) {
      this.sampler ??= new MeterSampler(
        {
          slotMs: slotMs(m.minutes),
          maxPowerW: this.options.meterMaxPowerW ?? 50_000,
          interpolateWithinMs: 60_000,
        },
        m.meter,
      );
      const out = this.sampler.sample({ ...registers, atMs: now });
      m.meter = this.sampler.memory;
      if (out.kind !== "ok") this.emit({ type: "meter", problem: describeRegisterProblem(out) });
      for (const r of out.readings) this.learn(agent, r, productionWh);
      this.readings.add(out.readings);
    }
    if (this.readings.items.length === 0) return;
    if (hub && !this.hubDown) {
      const r = await this.readings.flush();
      for (const reading of r.sent) this.emit({ type: "reading", reading });
      // an outage or a refused token shows as the control state; a refusal of readings is said
      if (r.stoppedBy) this.hubFailed(r.stoppedBy);
      if (r.stoppedBy && !(r.stoppedBy instanceof HubError)) this.emit({ type: "error", error: r.stoppedBy });
      for (const x of r.refused) {
        this.hubFailed(x.error);
        this.emit({ type: "error", error: x.error });
      }
    }
    this.emit({ type: "waiting", readings: this.readings.items.length });
    await this.save();
  }

  /**
   * A boundary reading ends a slot: what the house used and produced in it, less what the
   * steered devices took, goes into its history. A slot whose decision is not known (a
   * restart) or whose start was not read is left out rather than guessed.
   */
  private learn(agent: HouseholdAgent, r: MeterReading, productionWh: number | null): void {
    const m = agent.memory;
    const atMs = Date.parse(r.at);
    const prev = m.lastBoundary;
    m.lastBoundary = { atMs, importWh: r.importWh, exportWh: r.exportWh, productionWh };
    const len = slotMs(m.minutes);
    const d = prev && atMs - prev.atMs === len ? this.recent.get(prev.atMs) : undefined;
    if (!prev || !d || !this.history) return;
    const netWh = r.importWh - prev.importWh - (r.exportWh - prev.exportWh) - agent.devicesWh(d);
    const pvWh =
      productionWh !== null && prev.productionWh !== null ? Math.max(0, productionWh - prev.productionWh) : 0;
    this.history.record(prev.atMs, netWh + pvWh, pvWh);
    m.history = this.history.memory;
  }

  private async bid(now: number, nextOpenMs: number): Promise<void> {
    const agent = this.agent;
    const hub = this.options.hub;
    if (!agent || !hub || !this.community || this.hubDown) return;
    // a household the hub refused is asked again once a minute, not every tick
    if (this.refused && this.localNow() - this.refusedAtMs < 60_000) return;
    if (agent.memory.submitted.includes(nextOpenMs)) return;
    if (this.options.bidUntilMs !== undefined && nextOpenMs >= this.options.bidUntilMs) return;
    const { devices } = this.options;
    const m = agent.memory;
    const minutes = m.minutes;
    const len = slotMs(minutes);
    const known = (this.history?.size ?? 0) > 0;
    const stale =
      m.plannedAtMs === null ||
      now - m.plannedAtMs >= (this.options.replanMs ?? HOUR_MS) ||
      (this.plannedBlind && known);
    if (stale || !agent.covers(nextOpenMs)) {
      this.plannedBlind = !known;
      const horizon = this.options.horizonSlots ?? Math.round(DAY_MS / len);
      const forecast = await planInputs({
        fromMs: nextOpenMs,
        slots: horizon,
        minutes,
        devices,
        hub,
        market: this.community.market,
        history: this.history,
        nowMs: this.estimatedNow() ?? this.localNow(),
      });
      let state = await devices.read();
      let element: { on: boolean; runSlots: number } | undefined;
      // the plan starts after the slot under way: from where that slot's decision leaves the devices
      const d = this.lastDecision;
      if (d && d.startMs + len === nextOpenMs) {
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
      if (orders.length > 0) this.setHub(this.hubDown, null);
      this.emit({ type: "submitted", slot, netWh });
      await this.save();
    } catch (err) {
      this.hubFailed(err);
      // refusals and outages show as the control state, not once per tick
      if (!(err instanceof HubError && err.unusable)) this.emit({ type: "error", error: err });
    }
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
