import { slotMs, slotStartMs } from "@openlem/protocol";
import type { HouseholdHistory } from "../forecast/history.js";
import { superviseSlot } from "../safety/supervisor.js";
import type { DeviceState, HouseholdAgent, SlotDecision } from "./agent.js";
import type { DevicePort } from "./device-port.js";
import type { HubLink } from "./hub-link.js";
import { planNetLoad } from "./plan-inputs.js";

export type DeviceEvent = { type: "applied"; decision: SlotDecision } | { type: "error"; error: unknown };

export interface DeviceControlOptions {
  devices: DevicePort;
  link: HubLink;
  emit: (e: DeviceEvent) => void;
}

/**
 * The devices' side of the loop: at a slot start, the decision for the slot (the plan where the
 * hub took the slot's orders, else the local default), held between slot starts by the safety
 * supervisor against the devices' hard limits. Device calls go one at a time, in order, and
 * never wait for the hub.
 */
export class DeviceControl {
  private lastApplied: number | null = null;
  private lastDecision: SlotDecision | null = null;
  /** The last decision reached the devices (else it is applied again on the next look). */
  private appliedOk = true;
  /** The decisions of the last slots, to take the steered devices out of the metered energy. */
  readonly recent = new Map<number, SlotDecision>();
  private chain: Promise<unknown> = Promise.resolve();
  private supervising: Promise<void> | null = null;
  /** Once stopping, the devices get only the hand-back. */
  stopped = false;

  constructor(private readonly o: DeviceControlOptions) {}

  /** The decision in force (after safety), or null before the first slot start. */
  get decision(): SlotDecision | null {
    return this.lastDecision;
  }

  /** Waits for the device calls under way. */
  async idle(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  private serially<T>(f: () => Promise<T>): Promise<T> {
    const p = this.chain.then(f, f);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Holds the decision in force against the devices' hard limits with their state now. */
  async supervise(agent: HouseholdAgent | undefined): Promise<void> {
    // reports in a burst need one look, not one each
    let look = this.supervising;
    if (look) return look;
    look = this.serially(async () => {
      this.supervising = null;
      const now = this.o.link.estimatedNow() ?? this.o.link.localNow();
      const d = this.lastDecision;
      if (!d || !agent) return;
      let state: DeviceState;
      try {
        state = await this.o.devices.read();
      } catch (error) {
        this.o.emit({ type: "error", error });
        return;
      }
      const checked = superviseSlot(agent.spec, d, state, now, agent.memory.minutes);
      if (checked === d && this.appliedOk) return;
      await this.applyNow(checked, agent.memory.minutes);
    });
    this.supervising = look;
    await look;
  }

  /** Applies the decision in force again (a device controller restarted and may have lost it). */
  async reapply(agent: HouseholdAgent | undefined): Promise<void> {
    this.appliedOk = false;
    await this.supervise(agent);
  }

  /**
   * A slot start applies its decision: the plan if the hub took the slot's orders and can be
   * used, else the local default; either under the safety layer. Between slot starts, the
   * supervisor holds the decision in force. Returns whether a slot started.
   */
  async atTime(now: number, agent: HouseholdAgent, history: HouseholdHistory | undefined): Promise<boolean> {
    const minutes = agent.memory.minutes;
    const current = slotStartMs(now, minutes);
    if (this.lastApplied === current) {
      await this.supervise(agent);
      return false;
    }
    await this.serially(async () => {
      const { devices, link, emit } = this.o;
      let state: DeviceState = {};
      try {
        state = await devices.read();
      } catch (error) {
        emit({ type: "error", error });
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
          history,
          market: link.community?.market,
          nowMs: link.estimatedNow() ?? link.localNow(),
        };
        netLoadWh = planNetLoad(o, f.netLoadWh).netLoadWh[0] ?? 0;
      } catch (error) {
        emit({ type: "error", error });
      }
      const accepted = agent.memory.submitted.includes(current);
      const problem = link.problem;
      const decision = superviseSlot(
        agent.spec,
        agent.decide(current, state, { netLoadWh, drawWh }, { localDefault: !accepted || problem !== null }),
        state,
        now,
        minutes,
      );
      if (problem) decision.why.unshift(`local control: ${problem}`);
      this.lastApplied = current;
      await this.applyNow(decision, minutes);
    });
    return true;
  }

  /** Decides the slot under way again (its fills came after its start). */
  async redecide(now: number, agent: HouseholdAgent, history: HouseholdHistory | undefined): Promise<void> {
    this.lastApplied = null;
    await this.atTime(now, agent, history);
  }

  private async applyNow(d: SlotDecision, minutes: number): Promise<void> {
    if (this.stopped) return;
    this.lastDecision = d;
    this.recent.set(d.startMs, d);
    const keepMs = 4 * slotMs(minutes);
    for (const k of this.recent.keys()) if (k < d.startMs - keepMs) this.recent.delete(k);
    try {
      await this.o.devices.apply(d);
      this.appliedOk = true;
      this.o.emit({ type: "applied", decision: d });
    } catch (error) {
      this.appliedOk = false;
      this.o.emit({ type: "error", error });
    }
  }
}
