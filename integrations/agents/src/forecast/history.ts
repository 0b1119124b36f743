import { DAY_MS, slotMs } from "@openlem/protocol";
import { z } from "zod";

/** What a household's history keeps between restarts (JSON): the last days, slot by slot. */
export const HistoryMemory = z.object({
  /** Start of each kept slot (ms), with its load and PV (Wh), in the order they were recorded. */
  startMs: z.array(z.number()).default([]),
  loadWh: z.array(z.number()).default([]),
  pvWh: z.array(z.number()).default([]),
});
export type HistoryMemory = z.output<typeof HistoryMemory>;

export interface HistoryOptions {
  minutes: number;
  /** Days looked back (default 7). */
  days?: number;
}

export interface HouseholdForecast {
  loadWh: number[];
  pvWh: number[];
  /** Load minus PV: what the planners take as the household's inflexible net position. */
  netLoadWh: number[];
  /**
   * How far the net load strays from that: the mean absolute deviation of the same slot's net
   * load over the recent days from their mean (Wh; 0 with fewer than two days known). The bids
   * take it as the scale of a Laplace distribution of the error (`houseBidWh`).
   */
  netLoadSpreadWh: number[];
}

/** PV scaled by today's production so far stays within this band of the recent days' mean. */
const MIN_PV_SCALE = 0.1;
const MAX_PV_SCALE = 2.5;

/**
 * A household's own forecast from its own history, as a home without a weather service can
 * make it: a slot's load is the mean of the same slot on the recent days, its PV the same
 * slot's mean scaled by how today's production so far compares with those days' production
 * up to the same time (a dull morning lowers the afternoon). Before any history exists the
 * last recorded slot holds (persistence), and with nothing recorded the forecast is zero.
 * "The same slot" is 24 hours earlier: on the two days a year the clocks change, an hour off.
 */
export class HouseholdHistory {
  readonly slotMs: number;
  readonly slotsPerDay: number;
  readonly days: number;
  private readonly slotsTotal: number;
  private readonly at: Float64Array;
  private readonly load: Float64Array;
  private readonly pv: Float64Array;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(o: HistoryOptions, memory?: HistoryMemory) {
    this.slotMs = slotMs(o.minutes);
    this.slotsPerDay = Math.round(DAY_MS / this.slotMs);
    this.days = o.days ?? 7;
    this.slotsTotal = (this.days + 1) * this.slotsPerDay;
    this.at = new Float64Array(this.slotsTotal).fill(Number.NaN);
    this.load = new Float64Array(this.slotsTotal);
    this.pv = new Float64Array(this.slotsTotal);
    if (memory)
      for (let i = 0; i < memory.startMs.length; i++)
        this.record(memory.startMs[i] as number, memory.loadWh[i] ?? 0, memory.pvWh[i] ?? 0);
  }

  private cell(startMs: number): number {
    const k = Math.floor(startMs / this.slotMs) % this.slotsTotal;
    return k < 0 ? k + this.slotsTotal : k;
  }

  /** How many slots it holds. */
  get size(): number {
    let n = 0;
    for (let c = 0; c < this.slotsTotal; c++) if (Number.isFinite(this.at[c] as number)) n++;
    return n;
  }

  /** A finished slot's inflexible load and PV (Wh). */
  record(startMs: number, loadWh: number, pvWh: number): void {
    const c = this.cell(startMs);
    this.at[c] = startMs;
    this.load[c] = loadWh;
    this.pv[c] = pvWh;
    if (startMs > this.lastMs) this.lastMs = startMs;
  }

  /** The slot recorded for `startMs`, or -1. */
  private find(startMs: number): number {
    const c = this.cell(startMs);
    return this.at[c] === startMs ? c : -1;
  }

  /**
   * Mean load and PV of the slot at `ms` over the recent days before `beforeMs`, and the mean
   * absolute deviation of its net load from their mean; null when none.
   */
  private sameSlot(
    ms: number,
    beforeMs: number,
    withSpread = false,
  ): { load: number; pv: number; spread: number } | null {
    let load = 0;
    let pv = 0;
    let n = 0;
    // the same slot on each of the last `days` days that lie before `beforeMs`
    const first = ms - Math.ceil((ms - beforeMs + 1) / DAY_MS) * DAY_MS;
    let s = first;
    for (let d = 0; d < this.days; d++, s -= DAY_MS) {
      const c = this.find(s);
      if (c < 0) continue;
      load += this.load[c] as number;
      pv += this.pv[c] as number;
      n++;
    }
    if (!n) return null;
    const mean = (load - pv) / n;
    let spread = 0;
    s = first;
    for (let d = 0; d < this.days && n > 1 && withSpread; d++, s -= DAY_MS) {
      const c = this.find(s);
      if (c >= 0) spread += Math.abs((this.load[c] as number) - (this.pv[c] as number) - mean);
    }
    return { load: load / n, pv: pv / n, spread: n > 1 ? spread / n : 0 };
  }

  /**
   * The forecast for `slots` slots from `fromMs`, made at `nowMs` (default `fromMs`): only
   * slots recorded before `nowMs` count. `dayStartMs` is the local midnight of `nowMs`'s day,
   * from which today's production so far is counted (default: 24 hours before `nowMs`).
   */
  forecast(fromMs: number, slots: number, nowMs = fromMs, dayStartMs = nowMs - DAY_MS): HouseholdForecast {
    const loadWh = new Array<number>(slots);
    const pvWh = new Array<number>(slots);
    const netLoadSpreadWh = new Array<number>(slots).fill(0);
    const scale = this.pvScale(dayStartMs, nowMs);
    const tomorrow = dayStartMs + DAY_MS;
    const last = this.lastMs < nowMs ? this.find(this.lastMs) : -1;
    for (let t = 0; t < slots; t++) {
      const ms = fromMs + t * this.slotMs;
      const m = this.sameSlot(ms, nowMs, true);
      if (m) {
        loadWh[t] = Math.round(m.load);
        pvWh[t] = Math.round(m.pv * (ms < tomorrow ? scale : 1));
        netLoadSpreadWh[t] = Math.round(m.spread);
      } else if (last >= 0) {
        loadWh[t] = this.load[last] as number;
        pvWh[t] = this.pv[last] as number;
      } else {
        loadWh[t] = 0;
        pvWh[t] = 0;
      }
    }
    return { loadWh, pvWh, netLoadWh: loadWh.map((l, t) => l - (pvWh[t] as number)), netLoadSpreadWh };
  }

  /** Today's PV so far against the recent days' up to the same time (1 when too little is known). */
  private pvScale(dayStartMs: number, nowMs: number): number {
    let today = 0;
    let usual = 0;
    for (let ms = dayStartMs; ms + this.slotMs <= nowMs; ms += this.slotMs) {
      const c = this.find(ms);
      const m = this.sameSlot(ms, dayStartMs);
      if (c < 0 || !m) continue;
      today += this.pv[c] as number;
      usual += m.pv;
    }
    // before the first light of the day, or with no usual production to compare, nothing is known
    if (usual < 1) return 1;
    return Math.min(MAX_PV_SCALE, Math.max(MIN_PV_SCALE, today / usual));
  }

  /** What to keep between restarts. */
  get memory(): HistoryMemory {
    const order: number[] = [];
    for (let c = 0; c < this.slotsTotal; c++) if (Number.isFinite(this.at[c] as number)) order.push(c);
    order.sort((a, b) => (this.at[a] as number) - (this.at[b] as number));
    return {
      startMs: order.map((c) => this.at[c] as number),
      loadWh: order.map((c) => this.load[c] as number),
      pvWh: order.map((c) => this.pv[c] as number),
    };
  }
}
