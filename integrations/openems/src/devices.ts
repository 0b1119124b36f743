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
  power: (ess: string) => `${ess}/ActivePower`, // W, + discharge: what the battery does
  workerLog: (controller: string) => `${controller}/ApiWorkerLog`, // what the REST API worker writes
} as const;

/** What a renewal did: posted the set-point, or held it back because the state of charge is stale. */
export type Renewal = "renewed" | "held back" | "released";

interface Registers {
  importWh: number;
  exportWh: number;
}

/**
 * The house and its battery as an OpenEMS Edge shows them. The battery's set-point is posted
 * at each slot start and renewed every few seconds, because the Edge drops a set-point that
 * is not renewed within its API timeout (60 s by default). Without energy counters, the grid
 * registers are integrated from the grid power and the readings say they are derived.
 */
export class EdgeDevices implements DevicePort {
  /** The set-point in force (W, + discharge), posted again on every renewal. */
  setpointW = 0;
  private released = false;
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
    /** The REST controller whose ApiWorkerLog tells what the Edge writes. */
    private readonly controllerId = "ctrlApiRest0",
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
    if (this.released) return;
    if (d.batteryW !== this.setpointW) this.setpointSinceMs = Date.now();
    this.setpointW = d.batteryW;
    await this.renew();
  }

  /**
   * Posts the set-point again (on a timer, well inside the Edge's timeout); nothing once
   * released. Only while the safety supervisor still sees the battery: with no state of charge
   * read for `staleMs` (the Edge stopped answering it, or the agent's loop is stuck), the bridge
   * withdraws the set-point (a null write, once) instead of holding the battery on a decision
   * nobody checks, and the Edge's own controllers take it until the reads come back.
   */
  async renew(): Promise<Renewal> {
    if (this.released) return "released";
    if (Date.now() - this.lastReadOkMs > this.staleMs) {
      if (!this.heldBack) await this.edge.write(CHANNELS.setpoint(this.c.edge.ess), null);
      this.heldBack = true;
      return "held back";
    }
    await this.edge.write(CHANNELS.setpoint(this.c.edge.ess), this.setpointW);
    this.heldBack = false;
    return "renewed";
  }

  /**
   * Reads back what the battery does and what the Edge's API worker writes; the set-point must
   * have stood `settleMs` first (a battery ramps). Null while it has not.
   */
  async checkFollowing(settleMs: number): Promise<Following | null> {
    if (this.released || this.heldBack || Date.now() - this.setpointSinceMs < settleMs) return null;
    const ess = this.c.edge.ess;
    const [actualW, workerLog] = await Promise.all([
      this.edge.read(CHANNELS.power(ess)),
      this.edge.readText(CHANNELS.workerLog(this.controllerId)).catch(() => null),
    ]);
    this.workerLog = workerLog;
    this.following = judgeFollowing({
      setpointW: this.setpointW,
      actualW,
      maxChargeW: this.c.battery.maxChargeW,
      maxDischargeW: this.c.battery.maxDischargeW,
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
    await this.edge.write(CHANNELS.setpoint(this.c.edge.ess), null);
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
