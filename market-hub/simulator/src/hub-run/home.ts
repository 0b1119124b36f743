import type { DevicePort, DeviceState, SlotDecision } from "@openlem/agents";
import { slotMs } from "@openlem/protocol";
import { type CommunityProfiles, deviceStateOf } from "../community-profiles.js";
import { type HouseDevices, type SafetyLog, stepDevices } from "../house-physics.js";
import type { Household } from "../scenario.js";

/**
 * A simulated home behind a real household agent loop: the loop reads, forecasts and steers
 * it through the same port a Home Assistant bridge or Node-RED flow gives; the runner moves
 * its time on (`advanceTo`) as the hub's clock passes slot boundaries, stepping the devices
 * with the decision applied for the slot that ended and counting the meter's registers.
 */
export class SimulatedHome implements DevicePort, HouseDevices {
  socWh: number;
  tempC: number;
  evChargedWh = 0;
  lastHotMs: number;
  importWh = 0;
  exportWh = 0;
  productionWh = 0;
  private slotMs: number;
  private nowMs: number;
  private pending: SlotDecision | null = null;
  /** Per run slot: energy used and produced, and the grid flow (for the report). */
  readonly used: Float64Array;
  readonly produced: Float64Array;
  readonly net: Float64Array;
  readonly batteryWh: Float64Array;

  constructor(
    readonly h: Household,
    readonly meterId: string,
    private readonly prof: CommunityProfiles,
    private readonly t0: number,
    startMs: number,
    /** Shared by every home of a run. */
    private readonly safety: SafetyLog,
  ) {
    this.slotMs = slotMs(prof.cal.slotMinutes);
    this.nowMs = startMs;
    this.lastHotMs = startMs;
    this.socWh = h.battery ? h.battery.capacityWh * 0.5 : 0;
    this.tempC = h.boiler ? h.boiler.targetTempC : 0;
    const n = prof.slots - t0;
    this.used = new Float64Array(n);
    this.produced = new Float64Array(n);
    this.net = new Float64Array(n);
    this.batteryWh = new Float64Array(n);
  }

  private t(ms: number): number {
    return this.prof.indexOf(ms);
  }

  async read(): Promise<DeviceState> {
    const t = this.t(this.nowMs);
    return deviceStateOf(this.h, t >= 0 ? this.prof.evSession(this.h, t) : null, this);
  }

  /** The boiler's usual draws; load and PV the loop forecasts from what the meters saw, as at home. */
  async forecast(fromMs: number, slots: number, minutes: number) {
    const drawWh: number[] = [];
    for (let k = 0; k < slots; k++) {
      const t = this.t(fromMs + k * slotMs(minutes));
      drawWh.push(t >= 0 ? this.prof.drawWh(this.h, t) : 0);
    }
    return { drawWh };
  }

  async production() {
    return this.productionWh;
  }

  async apply(decision: SlotDecision): Promise<void> {
    this.pending = decision;
  }

  async meter() {
    return { meterId: this.meterId, importWh: this.importWh, exportWh: this.exportWh };
  }

  /** The hub's clock reached `ms`: the slot before it is over, so its energy happened. */
  advanceTo(ms: number): void {
    const d = this.pending;
    const { h, prof } = this;
    const minutes = prof.cal.slotMinutes;
    const hours = minutes / 60;
    // slots without an applied decision (before the first tick): no flexible devices ran
    for (let s = this.nowMs; s < ms; s += this.slotMs) {
      const t = this.t(s);
      if (t < 0) continue;
      const load = prof.loadWh(h, t);
      const pv = prof.pvWh(h, t);
      const dec = d && d.startMs === s ? d : null;
      const used = load + stepDevices(h, this, dec, prof.drawWh(h, t), prof.evSession(h, t), s, minutes, this.safety);
      // the meter sees what happened, not what the agent expected
      const net = used - pv - (dec ? Math.round(dec.batteryW * hours) : 0);
      this.productionWh += pv;
      this.importWh += Math.max(0, net);
      this.exportWh += Math.max(0, -net);
      const k = t - this.t0;
      if (k >= 0 && k < this.used.length) {
        this.used[k] = used;
        this.produced[k] = pv;
        this.net[k] = net;
        this.batteryWh[k] = dec ? Math.round(dec.batteryW * hours) : 0;
      }
    }
    this.nowMs = Math.max(this.nowMs, ms);
  }
}
