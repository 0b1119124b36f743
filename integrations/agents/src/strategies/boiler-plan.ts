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
}

const TOO_COLD_PENALTY = 1e6; // per kelvin below the minimum: only when nothing else is possible
const LEGIONELLA_PENALTY = 1e5; // a missed anti-legionella heat: only when it cannot be reached

/** The temperature that counts as an anti-legionella heat, kept inside what the planner may reach. */
export function legionellaThresholdC(b: BoilerSpec, resolutionK = 0.1): number {
  return Math.min(b.legionellaTempC, b.maxTempC - resolutionK);
}

/**
 * Chooses the cheapest slots to heat over the price forecast by dynamic programming over the
 * tank temperature (on a grid of `resolutionK`), the element's state and how long it has been
 * in it, so that the water stays between minimum and maximum given the expected draws and
 * the element respects minimum on and off times. The horizon ends with the heat that brings
 * the tank back to its target valued at the mean price, so the plan does not leave a cold
 * tank for the next one. Slots without a forecast are priced at the dearest known price: the
 * boiler heats there only when it must. When an anti-legionella heat is due within the
 * horizon, whether it happened yet is part of the state, so the planner picks the cheapest
 * slots that reach it in time; the safety layer forces it once overdue.
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
  // a little room below the minimum, where only the too-cold penalty applies
  const lowC = Math.min(b.minTempC, input.tempC) - 2 * res;
  const G = Math.round((b.maxTempC - lowC) / res) + 1;
  const bucket = (t: number) => Math.min(G - 1, Math.max(0, Math.round((t - lowC) / res)));
  const tempOf = (i: number) => lowC + i * res;
  const heatWh = (b.heaterW * input.minutes) / 60;
  const C = heatCapacityWhPerK(b);
  const deadline = input.legionellaBySlot;
  const due = deadline !== undefined && deadline >= 0 && deadline < n;
  const hotC = legionellaThresholdC(b, res);
  // state index: (done, bucket, on, run 1..cap); done = the due anti-legionella heat happened
  const D = due ? 2 : 1;
  const S = D * G * 2 * cap;
  const idx = (i: number, on: number, run: number, done = 0) => ((done * G + i) * 2 + on) * cap + (run - 1);
  const V = Array.from({ length: n + 1 }, () => new Float64Array(S));
  const next = Array.from({ length: n }, () => new Int32Array(S));
  const last = V[n] as Float64Array;
  for (let i = 0; i < G; i++) {
    const deficitWh = Math.max(0, b.targetTempC - tempOf(i)) * C;
    for (let done = 0; done < D; done++)
      for (let on = 0; on < 2; on++)
        for (let run = 1; run <= cap; run++) last[idx(i, on, run, done)] = (deficitWh * mean) / 1000;
  }
  for (let t = n - 1; t >= 0; t--) {
    const here = V[t] as Float64Array;
    const later = V[t + 1] as Float64Array;
    const choice = next[t] as Int32Array;
    const draw = input.drawWh[t] ?? 0;
    const cost1 = (heatWh * (prices[t] as number)) / 1000;
    for (let i = 0; i < G; i++) {
      // the two possible transitions from this temperature, shared by every (done, on, run)
      const temp = tempOf(i);
      const offAfter = boilerStep(b, temp, false, draw, input.minutes);
      const onAfter = boilerStep(b, temp, true, draw, input.minutes);
      for (let done = 0; done < D; done++) {
        for (let on = 0; on < 2; on++) {
          for (let run = 1; run <= cap; run++) {
            let best = Number.POSITIVE_INFINITY;
            let arg = -1;
            for (let a = 0; a < 2; a++) {
              const switching = a !== on;
              if (switching && run < (on ? minOn : minOff)) continue;
              const after = a ? onAfter : offAfter;
              // one grid step inside the limits, so that rounding to the grid cannot cross them
              if (after > b.maxTempC - res) continue;
              let penalty = after < b.minTempC + res ? (b.minTempC + res - after) * TOO_COLD_PENALTY : 0;
              const nowDone = done === 1 || (due && after >= hotC) ? 1 : 0;
              if (due && t === deadline && nowDone === 0) penalty += LEGIONELLA_PENALTY;
              const nextRun = switching ? 1 : Math.min(cap, run + 1);
              const s = idx(bucket(after), a, nextRun, nowDone);
              const c = (a ? cost1 : 0) + penalty + (later[s] as number);
              if (c < best) {
                best = c;
                arg = s;
              }
            }
            const k = idx(i, on, run, done);
            here[k] = best;
            choice[k] = arg;
          }
        }
      }
    }
  }
  // Apply the policy closed-loop: each slot's decision is taken in the state nearest the real
  // (simulated) temperature, so grid rounding does not pile up over the horizon.
  const onPlan: boolean[] = [];
  const temps: number[] = [];
  let temp = input.tempC;
  let on = input.on ? 1 : 0;
  let run = Math.min(cap, Math.max(1, input.runSlots ?? cap));
  let done = 0;
  let cost = 0;
  for (let t = 0; t < n; t++) {
    const s = (next[t] as Int32Array)[idx(bucket(temp), on, run, done)] ?? -1;
    const heat = s >= 0 ? Math.floor(s / cap) % 2 === 1 : on === 1;
    const a = heat ? 1 : 0;
    run = a === on ? Math.min(cap, run + 1) : 1;
    on = a;
    temp = boilerStep(b, temp, heat, input.drawWh[t] ?? 0, input.minutes);
    // the real temperature decides whether the heat happened, not its grid bucket
    if (due && temp >= hotC) done = 1;
    onPlan.push(heat);
    temps.push(temp);
    if (heat) cost += (heatWh * (prices[t] as number)) / 1000;
  }
  return { on: onPlan, tempC: temps, cost };
}
