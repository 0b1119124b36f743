import { type BoilerSpec, boilerStep, heatCapacityWhPerK } from "../devices/boiler.js";

export interface BoilerPlanInput {
  spec: BoilerSpec;
  tempC: number;
  minutes: number;
  /** Price of a kWh in each slot; NaN where no forecast exists. */
  price: readonly number[];
  /** Expected hot-water draw per slot (Wh of heat). */
  drawWh: readonly number[];
  /** Minimum slots the element stays on, and off, once switched (no short cycling). */
  minOnSlots?: number;
  minOffSlots?: number;
  /** Whether the element is on now, and for how many slots it has been in that state. */
  on?: boolean;
  runSlots?: number;
  /** Temperature grid of the planner (K). */
  resolutionK?: number;
  /**
   * Anti-legionella: the tank must reach `spec.legionellaTempC` by the end of this slot
   * (index into the horizon). Omit when the next heat is not due within the horizon.
   */
  legionellaBySlot?: number;
}

export interface BoilerPlan {
  on: boolean[];
  /** Expected temperature at the end of each slot (exact simulation of the plan). */
  tempC: number[];
  /** Expected energy cost (currency), heating only. */
  cost: number;
  /**
   * The anti-legionella heat asked for by `legionellaBySlot`: "met" when the plan reaches the
   * threshold by then, "unreachable" when no plan the element's limits allow can (the safety
   * layer then forces it once overdue), "not-due" when none was asked for.
   */
  legionella: "met" | "unreachable" | "not-due";
  /** Whether the plan keeps the water at or above the minimum in every slot. */
  comfortMet: boolean;
}

const TOO_COLD_PENALTY = 1e6; // per kelvin below the minimum: only when nothing else is possible
const LEGIONELLA_PENALTY = 1e5; // a missed anti-legionella heat: only when it cannot be reached
const CUT_SHORT_PENALTY = 1e3; // an on run cut before its minimum because the tank is full: only when forced

/** The temperature that counts as an anti-legionella heat, kept inside what the planner may reach. */
export function legionellaThresholdC(b: BoilerSpec, resolutionK = 0.1): number {
  return Math.min(b.legionellaTempC, b.maxTempC - resolutionK);
}

/**
 * Which of the paths that meet in one grid cell a layer keeps: the cheapest, the hottest and
 * the coolest. The hottest keeps a reachable anti-legionella heat or comfort floor from being
 * merged away, the coolest keeps a run that only just fits under the maximum.
 */
const KEEP = 3;

/**
 * Chooses the cheapest slots to heat over the price forecast so that the water stays between
 * minimum and maximum given the expected draws, the element respects minimum on and off times,
 * and a due anti-legionella heat happens in time. A forward dynamic programme over the tank
 * temperature, the element's state and how long it has been in it: every path it keeps is a
 * real trajectory with its exact temperature (the grid of `resolutionK` only decides which
 * paths meet and compete), so every limit is checked on the temperature the tank will really
 * have, never on a rounded one. The horizon ends with the heat that brings the tank back to
 * its target valued at the mean price, so the plan does not leave a cold tank for the next
 * one. Slots without a forecast are priced at the dearest known price: the boiler heats there
 * only when it must. A tank already above its maximum is switched off, whatever the minimum
 * on time says.
 */
export function planBoiler(input: BoilerPlanInput): BoilerPlan {
  const b = input.spec;
  const n = input.price.length;
  const res = input.resolutionK ?? 0.1;
  const minOn = Math.max(1, input.minOnSlots ?? 2);
  const minOff = Math.max(1, input.minOffSlots ?? 2);
  const cap = Math.max(minOn, minOff);
  const known = input.price.filter(Number.isFinite);
  const dearest = known.length ? Math.max(...known) : 1;
  const mean = known.length ? known.reduce((s, p) => s + p, 0) / known.length : 1;
  const prices = input.price.map((p) => (Number.isFinite(p) ? p : dearest));
  const lowC = Math.min(b.minTempC, input.tempC) - 2 * res;
  const G = Math.round((Math.max(b.maxTempC, input.tempC) - lowC) / res) + 1;
  const bucket = (t: number) => Math.min(G - 1, Math.max(0, Math.floor((t - lowC) / res)));
  const heatWh = (b.heaterW * input.minutes) / 60;
  const C = heatCapacityWhPerK(b);
  const deadline = input.legionellaBySlot;
  const due = deadline !== undefined && deadline >= 0 && deadline < n;
  const hotC = legionellaThresholdC(b, res);
  const D = due ? 2 : 1;
  const cells = D * G * 2 * cap;
  const cell = (i: number, on: number, run: number, done: number) => ((done * G + i) * 2 + on) * cap + (run - 1);
  const S = cells * KEEP;
  // per layer: cost so far, exact temperature, and the entry of the layer before (-1: empty)
  const cost = Array.from({ length: n + 1 }, () => new Float64Array(S).fill(Number.POSITIVE_INFINITY));
  const temp = Array.from({ length: n + 1 }, () => new Float64Array(S));
  const parent = Array.from({ length: n + 1 }, () => new Int32Array(S).fill(-1));
  const on0 = input.on ? 1 : 0;
  const run0 = Math.min(cap, Math.max(1, input.runSlots ?? cap));
  const done0 = due && input.tempC >= hotC ? 1 : 0;
  const c0 = cell(bucket(input.tempC), on0, run0, done0);
  for (let r = 0; r < KEEP; r++) {
    (cost[0] as Float64Array)[c0 * KEEP + r] = 0;
    (temp[0] as Float64Array)[c0 * KEEP + r] = input.tempC;
  }
  const offer = (t: number, c: number, v: number, x: number, from: number) => {
    const cs = cost[t] as Float64Array;
    const ts = temp[t] as Float64Array;
    const ps = parent[t] as Int32Array;
    const base = c * KEEP;
    const put = (k: number) => {
      cs[k] = v;
      ts[k] = x;
      ps[k] = from;
    };
    if (v < (cs[base] as number) || (v === cs[base] && x > (ts[base] as number))) put(base);
    if (ps[base + 1] === -1 || x > (ts[base + 1] as number) || (x === ts[base + 1] && v < (cs[base + 1] as number)))
      put(base + 1);
    if (ps[base + 2] === -1 || x < (ts[base + 2] as number) || (x === ts[base + 2] && v < (cs[base + 2] as number)))
      put(base + 2);
  };
  for (let t = 0; t < n; t++) {
    const cs = cost[t] as Float64Array;
    const ts = temp[t] as Float64Array;
    const draw = input.drawWh[t] ?? 0;
    const cost1 = (heatWh * (prices[t] as number)) / 1000;
    for (let k = 0; k < S; k++) {
      const v = cs[k] as number;
      if (v === Number.POSITIVE_INFINITY) continue;
      const c = Math.floor(k / KEEP);
      const run = (c % cap) + 1;
      const on = Math.floor(c / cap) % 2;
      const done = Math.floor(c / (cap * 2 * G));
      const x = ts[k] as number;
      const onAfter = boilerStep(b, x, true, draw, input.minutes);
      for (let a = 0; a < 2; a++) {
        const switching = a !== on;
        // heating past the maximum is never allowed; switching off for it always is
        if (a === 1 && onAfter > b.maxTempC) continue;
        const early = switching && run < (on ? minOn : minOff);
        if (early && !(on === 1 && onAfter > b.maxTempC)) continue;
        const after = a ? onAfter : boilerStep(b, x, false, draw, input.minutes);
        let penalty = after < b.minTempC ? (b.minTempC - after) * TOO_COLD_PENALTY : 0;
        if (early) penalty += CUT_SHORT_PENALTY;
        const nowDone = done === 1 || (due && after >= hotC) ? 1 : 0;
        if (due && t === deadline && nowDone === 0) penalty += LEGIONELLA_PENALTY;
        const nextRun = switching ? 1 : Math.min(cap, run + 1);
        offer(t + 1, cell(bucket(after), a, nextRun, nowDone), v + (a ? cost1 : 0) + penalty, after, k);
      }
    }
  }
  // the best end: cost so far plus the heat that brings the tank back to its target
  const endCost = cost[n] as Float64Array;
  const endTemp = temp[n] as Float64Array;
  let best = -1;
  let bestValue = Number.POSITIVE_INFINITY;
  for (let k = 0; k < S; k++) {
    const v = endCost[k] as number;
    if (v === Number.POSITIVE_INFINITY) continue;
    const total = v + (Math.max(0, b.targetTempC - (endTemp[k] as number)) * C * mean) / 1000;
    if (total < bestValue) {
      bestValue = total;
      best = k;
    }
  }
  const onPlan = new Array<boolean>(n).fill(false);
  const temps = new Array<number>(n).fill(input.tempC);
  for (let t = n, k = best; t > 0 && k >= 0; t--) {
    onPlan[t - 1] = Math.floor(Math.floor(k / KEEP) / cap) % 2 === 1;
    temps[t - 1] = (temp[t] as Float64Array)[k] as number;
    k = (parent[t] as Int32Array)[k] as number;
  }
  let spent = 0;
  for (let t = 0; t < n; t++) if (onPlan[t]) spent += (heatWh * (prices[t] as number)) / 1000;
  const hotBy = due ? [input.tempC, ...temps.slice(0, (deadline as number) + 1)].some((x) => x >= hotC) : false;
  return {
    on: onPlan,
    tempC: temps,
    cost: spent,
    legionella: due ? (hotBy ? "met" : "unreachable") : "not-due",
    comfortMet: temps.every((x) => x >= b.minTempC),
  };
}
