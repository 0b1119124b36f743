import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DevicePort, DeviceState, SlotDecision } from "@openlem/agents";
import type { MeterReading } from "@openlem/protocol";
import { HOUR_MS } from "@openlem/protocol";
import type { EdgeBridgeConfig } from "./config.js";
import type { EdgeRest } from "./edge-rest.js";
import { type Following, judgeFollowing } from "./following.js";

/** OpenEMS Edge channels the bridge reads and writes (the `_sum` component aggregates the site). */
export const CHANNELS = {
  grid: "_sum/GridActivePower", // W, + import from the grid, − export
  production: "_sum/ProductionActivePower",
  productionEnergy: "_sum/ProductionActiveEnergy", // Wh, cumulative
  consumption: "_sum/ConsumptionActivePower",
  // the configured battery's own charge: _sum/EssSoc averages every battery of the site
  soc: (ess: string) => `${ess}/Soc`, // %
  capacity: (ess: string) => `${ess}/Capacity`, // Wh
  setpoint: (ess: string) => `${ess}/SetActivePowerEquals`, // W, + discharge, − charge (write-only)
  power: (ess: string) => `${ess}/ActivePower`, // W, + discharge: AC side (a hybrid's includes its DC-PV)
  dcPower: (ess: string) => `${ess}/DcDischargePower`, // W, + discharge: a hybrid battery's own power
  // W, live (BMS derating): AllowedChargePower ≤ 0, AllowedDischargePower ≥ 0
  allowedCharge: (ess: string) => `${ess}/AllowedChargePower`,
  allowedDischarge: (ess: string) => `${ess}/AllowedDischargePower`,
  workerLog: (controller: string) => `${controller}/ApiWorkerLog`, // what the REST API worker writes
} as const;

/** What a renewal did: posted the set-point, or held it back because the state of charge is stale. */
export type Renewal = "renewed" | "held back" | "released" | "read only";

/** How the bridge may use the battery, from what the Edge said at start (checkAccess). */
export interface EdgeControl {
  /** The REST controller whose ApiWorkerLog tells what the Edge writes. */
  controllerId: string;
  /** False: readings and bids only, no set-point (the scheduler would run it before a safety controller). */
  steer: boolean;
  /** A hybrid battery: set-points are AC-side and include the DC charger's PV. */
  hybrid: boolean;
}

interface Registers {
  importWh: number;
  exportWh: number;
}

/**
 * The house and its battery as an OpenEMS Edge shows them. The battery's set-point is posted
 * at each slot start and renewed every few seconds, because the Edge drops a set-point that
 * is not renewed within its API timeout (60 s by default). `setpointW` is what the battery
 * itself should do; on a hybrid the bridge posts it plus the DC-PV now, since the Edge's
 * set-point is AC-side (HybridEss: the battery moves the set-point minus DC-PV). Without energy
 * counters, the grid registers are integrated from the grid power and the readings say they
 * are derived.
 */
export class EdgeDevices implements DevicePort {
  /** The battery's own power asked (W, + discharge), posted again on every renewal. */
  setpointW = 0;
  /** What was last posted to the Edge (W, AC side), null before the first post or once withdrawn. */
  postedW: number | null = null;
  private released = false;
  /** The renewal on its way to the Edge: a release waits for it, so no set-point lands after the null. */
  private renewing: Promise<Renewal> | null = null;
  private netLoadW = 0;
  /** The set-point was withdrawn because the battery's state could not be read. */
  private heldBack = false;
  /** When the battery's state of charge was last read (wall clock, ms). */
  private lastReadOkMs = Date.now();
  private setpointSinceMs = Date.now();
  /** The API worker's log at the last read-back. */
  workerLog: string | null = null;
  /** The last read-back's verdict. */
  following: Following = { ok: true };
  private registers: Registers;
  private lastSample: { at: number; gridW: number } | null = null;
  readonly file: string;

  constructor(
    private readonly edge: EdgeRest,
    private readonly c: EdgeBridgeConfig,
    readonly capacityWh: number,
    /** How long a state of charge stays good for renewing the set-point (ms). */
    private readonly staleMs = Number.POSITIVE_INFINITY,
    private readonly control: EdgeControl = { controllerId: "ctrlApiRest0", steer: true, hybrid: false },
  ) {
    this.file = join(c.stateDir, "registers.json");
    this.registers = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, "utf8")) as Registers)
      : { importWh: 0, exportWh: 0 };
  }

  get derived(): boolean {
    return this.c.edge.readings === "integrate";
  }

  async read(): Promise<DeviceState> {
    const pct = await this.edge.read(CHANNELS.soc(this.c.edge.ess));
    if (pct === null) return {};
    this.lastReadOkMs = Date.now();
    return { socWh: Math.round((pct / 100) * this.capacityWh) };
  }

  /**
   * No hot water here. The site's net load now, held over the horizon: the household loop
   * plans from it until its own history (learnt from the meter and the production register)
   * knows a slot.
   */
  async forecast(_fromMs: number, slots: number, minutes: number) {
    const [p, l] = await Promise.all([this.edge.read(CHANNELS.production), this.edge.read(CHANNELS.consumption)]);
    if (p !== null && l !== null) this.netLoadW = l - p;
    return {
      netLoadWh: new Array<number>(slots).fill(Math.round((this.netLoadW * minutes) / 60)),
      drawWh: new Array<number>(slots).fill(0),
    };
  }

  /**
   * The site's cumulative PV production (Wh), null when the edge does not report it (older
   * Edges lack the channel): it only sharpens the forecast, so its absence is not an error.
   */
  async production(): Promise<number | null> {
    const wh = await this.edge.read(CHANNELS.productionEnergy).catch(() => null);
    return wh === null ? null : Math.round(wh);
  }

  async apply(d: SlotDecision): Promise<void> {
    if (this.released || !this.control.steer) return;
    if (d.batteryW !== this.setpointW) this.setpointSinceMs = Date.now();
    this.setpointW = d.batteryW;
    // a renewal on its way carries the old set-point: the new one goes right after it
    await this.renewing?.catch(() => undefined);
    await this.renew();
  }

  /**
   * Posts the set-point again (on a timer, well inside the Edge's timeout); nothing once
   * released or when the bridge only reads. Only while the safety supervisor still sees the
   * battery: with no state of charge read for `staleMs` (the Edge stopped answering it, or the
   * agent's loop is stuck), the bridge withdraws the set-point (a null write, once) instead of
   * holding the battery on a decision nobody checks, and the Edge's own controllers take it
   * until the reads come back.
   */
  renew(): Promise<Renewal> {
    if (this.released) return Promise.resolve("released");
    if (!this.control.steer) return Promise.resolve("read only");
    // one renewal at a time: a slow Edge does not pile them up
    if (this.renewing) return this.renewing;
    const run = this.renewOnce().finally(() => {
      if (this.renewing === run) this.renewing = null;
    });
    this.renewing = run;
    return run;
  }

  private async renewOnce(): Promise<Renewal> {
    const channel = CHANNELS.setpoint(this.c.edge.ess);
    if (Date.now() - this.lastReadOkMs > this.staleMs) {
      if (!this.heldBack) await this.edge.write(channel, null);
      this.heldBack = true;
      this.postedW = null;
      return "held back";
    }
    const pv = this.control.hybrid ? await this.dcPvW() : 0;
    // a release that began while the DC-PV was read has the last word
    if (this.released) return "released";
    const posted = this.setpointW + pv;
    await this.edge.write(channel, posted);
    this.postedW = posted;
    this.heldBack = false;
    return "renewed";
  }

  /** A hybrid's DC-PV now (W): its AC power minus the battery's own (HybridEss.DcDischargePower). */
  private async dcPvW(): Promise<number> {
    const ess = this.c.edge.ess;
    const [ac, dc] = await Promise.all([this.edge.read(CHANNELS.power(ess)), this.edge.read(CHANNELS.dcPower(ess))]);
    return ac === null || dc === null ? 0 : Math.max(0, ac - dc);
  }

  /**
   * Reads back what the battery does (a hybrid's own `DcDischargePower`), its live allowed
   * powers and what the Edge's API worker writes; the set-point must have stood `settleMs`
   * first (a battery ramps). Null while it has not.
   */
  async checkFollowing(settleMs: number): Promise<Following | null> {
    if (this.released || this.heldBack || !this.control.steer || this.postedW === null) return null;
    if (Date.now() - this.setpointSinceMs < settleMs) return null;
    const ess = this.c.edge.ess;
    const optional = (channel: string) => this.edge.read(channel).catch(() => null);
    const [acW, dcW, allowedChargeW, allowedDischargeW, workerLog] = await Promise.all([
      this.edge.read(CHANNELS.power(ess)),
      this.control.hybrid ? this.edge.read(CHANNELS.dcPower(ess)) : Promise.resolve(null),
      optional(CHANNELS.allowedCharge(ess)),
      optional(CHANNELS.allowedDischarge(ess)),
      this.edge.readText(CHANNELS.workerLog(this.control.controllerId)).catch(() => null),
    ]);
    this.workerLog = workerLog;
    const dcPvW = this.control.hybrid && acW !== null && dcW !== null ? Math.max(0, acW - dcW) : 0;
    this.following = judgeFollowing({
      setpointW: this.setpointW,
      actualW: this.control.hybrid ? dcW : acW,
      maxChargeW: this.c.battery.maxChargeW,
      maxDischargeW: this.c.battery.maxDischargeW,
      allowedChargeW,
      allowedDischargeW,
      dcPvW,
      workerLog,
      channel: CHANNELS.setpoint(ess),
    });
    return this.following;
  }

  /**
   * Gives the battery back to the Edge's own controllers (a null write releases the
   * set-point). Should the process die instead, the Edge drops the last set-point by itself
   * once its API timeout passes, since nothing renews it.
   */
  async release(): Promise<void> {
    this.released = true;
    await this.renewing?.catch(() => undefined);
    await this.edge.write(CHANNELS.setpoint(this.c.edge.ess), null);
    this.postedW = null;
  }

  /** Integrates the grid power since the last sample into the registers (trapezoids). */
  async sample(nowMs = Date.now()): Promise<void> {
    if (!this.derived) return;
    const gridW = await this.edge.read(CHANNELS.grid);
    if (gridW === null) return;
    if (this.lastSample) {
      const wh = (((this.lastSample.gridW + gridW) / 2) * (nowMs - this.lastSample.at)) / HOUR_MS;
      if (wh > 0) this.registers.importWh += wh;
      else this.registers.exportWh -= wh;
      writeFileSync(this.file, JSON.stringify(this.registers));
    }
    this.lastSample = { at: nowMs, gridW };
  }

  async meter(): Promise<Omit<MeterReading, "at"> | null> {
    if (!this.derived) {
      const [i, e] = await Promise.all([
        this.edge.read(this.c.edge.importCounter),
        this.edge.read(this.c.edge.exportCounter),
      ]);
      if (i === null || e === null) return null;
      return { meterId: this.c.meterId, importWh: Math.round(i), exportWh: Math.round(e) };
    }
    await this.sample();
    return {
      meterId: this.c.meterId,
      importWh: Math.floor(this.registers.importWh),
      exportWh: Math.floor(this.registers.exportWh),
      derived: true,
    };
  }
}
