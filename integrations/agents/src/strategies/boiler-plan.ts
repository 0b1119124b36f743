import { type BoilerSpec, heatCapacityWhPerK } from "../devices/boiler.js";

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
 * Which of the paths that meet in one grid cell a layer keeps: the cheapest, and while an
 * anti-legionella heat is due within the horizon also the hottest and the coolest. The hottest
 * keeps a reachable heat from being merged away by a cheaper, cooler path; the coolest a run
 * that only just fits under the maximum. Without a heat due, the cheapest alone plans as well
 * (measured: the same cost and the same comfort on random days) in a third of the time.
 */
const KEEP_DUE = 3;
const KEEP = 1;

const bucketOf = (t: number, lowC: number, res: number, G: number) =>
  Math.min(G - 1, Math.max(0, Math.floor((t - lowC) / res)));
const cellOf = (i: number, on: number, run: number, done: number, G: number, cap: number) =>
  ((done * G + i) * 2 + on) * cap + (run - 1);

/**
 * A path offered to a cell of the next layer (entries `base`…`base + keep - 1`) replaces the
 * cheapest, hottest or coolest kept there when it beats it.
 */
function offer(
  cost: Float64Array,
  temp: Float64Array,
  parent: Int32Array,
  base: number,
  v: number,
  x: number,
  from: number,
  keep: number,
): void {
  if (v < (cost[base] as number) || (v === cost[base] && x > (temp[base] as number))) {
    cost[base] = v;
    temp[base] = x;
    parent[base] = from;
  }
  if (keep === 1) return;
  const h = base + 1;
  if (parent[h] === -1 || x > (temp[h] as number) || (x === temp[h] && v < (cost[h] as number))) {
    cost[h] = v;
    temp[h] = x;
    parent[h] = from;
  }
  const l = base + 2;
  if (parent[l] === -1 || x < (temp[l] as number) || (x === temp[l] && v < (cost[l] as number))) {
    cost[l] = v;
    temp[l] = x;
    parent[l] = from;
  }
}

/**
 * The programme's columns, kept between plans: a simulated community plans every boiler every
 * day, and allocating them afresh each time cost more than the programme itself.
 */
let columns = { cost: new Float64Array(0), temp: new Float64Array(0), parent: new Int32Array(0) };
function scratch(size: number): typeof columns {
  if (columns.cost.length < size) {
    const grown = Math.max(size, columns.cost.length * 2);
    columns = { cost: new Float64Array(grown), temp: new Float64Array(grown), parent: new Int32Array(grown) };
  }
  return columns;
}

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
  let dearest = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let count = 0;
  for (const p of input.price)
    if (Number.isFinite(p)) {
      if (p > dearest) dearest = p;
      sum += p;
      count++;
    }
  if (count === 0) dearest = 1;
  const mean = count ? sum / count : 1;
  const prices = input.price.map((p) => (Number.isFinite(p) ? p : dearest));
  const lowC = Math.min(b.minTempC, input.tempC) - 2 * res;
  const G = Math.round((Math.max(b.maxTempC, input.tempC) - lowC) / res) + 1;
  const heatWh = (b.heaterW * input.minutes) / 60;
  const C = heatCapacityWhPerK(b);
  const deadline = input.legionellaBySlot;
  const due = deadline !== undefined && deadline >= 0 && deadline < n;
  const hotC = legionellaThresholdC(b, res);
  const D = due ? 2 : 1;
  const cells = D * G * 2 * cap;
  const keep = due ? KEEP_DUE : KEEP;
  const S = cells * keep;
  // layer t of the programme is entries [t·S, (t+1)·S) of the scratch columns: cost so far,
  // exact temperature, and the entry of the layer before (-1: empty)
  const { cost, temp, parent } = scratch((n + 1) * S);
  cost.fill(Number.POSITIVE_INFINITY, 0, (n + 1) * S);
  parent.fill(-1, 0, (n + 1) * S);
  const on0 = input.on ? 1 : 0;
  const run0 = Math.min(cap, Math.max(1, input.runSlots ?? cap));
  const done0 = due && input.tempC >= hotC ? 1 : 0;
  const c0 = cellOf(bucketOf(input.tempC, lowC, res, G), on0, run0, done0, G, cap);
  for (let r = 0; r < keep; r++) {
    cost[c0 * keep + r] = 0;
    temp[c0 * keep + r] = input.tempC;
  }
  // the entries in use per layer lie between these (a scan of the rest would find nothing)
  let lo = c0 * keep;
  let hi = c0 * keep + keep - 1;
  // the tank's figures as locals, the step of `boilerStep` written out: the loop below runs
  // tens of thousands of times a plan (the same arithmetic, so the same temperatures to the bit)
  const maxC = b.maxTempC;
  const minC = b.minTempC;
  const lossAtTargetWh = (b.standingLossWhPerDay * input.minutes) / 1440;
  const lossSpanK = b.targetTempC - 20;
  const perCell = cap * 2 * G;
  for (let t = 0; t < n; t++) {
    const at = t * S;
    const next = at + S;
    const draw = input.drawWh[t] ?? 0;
    const cost1 = (heatWh * (prices[t] as number)) / 1000;
    let nextLo = S;
    let nextHi = -1;
    const cLast = (hi / keep) | 0;
    for (let c = (lo / keep) | 0; c <= cLast; c++) {
      const first = at + c * keep;
      // a cell's entries are filled together: the first offer to it sets all of them
      if (cost[first] === Number.POSITIVE_INFINITY) continue;
      const run = (c % cap) + 1;
      const on = ((c / cap) | 0) % 2;
      const done = (c / perCell) | 0;
      for (let r = 0; r < keep; r++) {
        const k = c * keep + r;
        const v = cost[at + k] as number;
        const x = temp[at + k] as number;
        // a cell often keeps one path as its cheapest, hottest and coolest at once: expand it once
        if (r > 0 && temp[at + k - 1] === x && cost[at + k - 1] === v) continue;
        if (r > 1 && temp[at + k - 2] === x && cost[at + k - 2] === v) continue;
        const lossWh = lossAtTargetWh * Math.max(0, (x - 20) / lossSpanK);
        const onAfter = x + (heatWh - draw - lossWh) / C;
        const offAfter = x + (0 - draw - lossWh) / C;
        for (let a = 0; a < 2; a++) {
          const switching = a !== on;
          // heating past the maximum is never allowed; switching off for it always is
          if (a === 1 && onAfter > maxC) continue;
          const early = switching && run < (on ? minOn : minOff);
          if (early && !(on === 1 && onAfter > maxC)) continue;
          const after = a ? onAfter : offAfter;
          let penalty = after < minC ? (minC - after) * TOO_COLD_PENALTY : 0;
          if (early) penalty += CUT_SHORT_PENALTY;
          const nowDone = done === 1 || (due && after >= hotC) ? 1 : 0;
          if (due && t === deadline && nowDone === 0) penalty += LEGIONELLA_PENALTY;
          const nextRun = switching ? 1 : Math.min(cap, run + 1);
          const base = cellOf(bucketOf(after, lowC, res, G), a, nextRun, nowDone, G, cap) * keep;
          offer(cost, temp, parent, next + base, v + (a ? cost1 : 0) + penalty, after, k, keep);
          if (base < nextLo) nextLo = base;
          if (base + keep - 1 > nextHi) nextHi = base + keep - 1;
        }
      }
    }
    lo = nextLo;
    hi = nextHi;
  }
  // the best end: cost so far plus the heat that brings the tank back to its target
  const end = n * S;
  let best = -1;
  let bestValue = Number.POSITIVE_INFINITY;
  for (let k = lo; k <= hi; k++) {
    const v = cost[end + k] as number;
    if (v === Number.POSITIVE_INFINITY) continue;
    const total = v + (Math.max(0, b.targetTempC - (temp[end + k] as number)) * C * mean) / 1000;
    if (total < bestValue) {
      bestValue = total;
      best = k;
    }
  }
  const onPlan = new Array<boolean>(n).fill(false);
  const temps = new Array<number>(n).fill(input.tempC);
  for (let t = n, k = best; t > 0 && k >= 0; t--) {
    onPlan[t - 1] = Math.floor(Math.floor(k / keep) / cap) % 2 === 1;
    temps[t - 1] = temp[t * S + k] as number;
    k = parent[t * S + k] as number;
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
