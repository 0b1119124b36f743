import { type BatterySpec, maxSocWh, minSocWh, oneWayEfficiency } from "../devices/battery.js";

export interface BatteryPlanInput {
  spec: BatterySpec;
  socWh: number;
  minutes: number;
  /** What importing one kWh costs in each slot (currency/kWh); NaN where no forecast exists. */
  buyPrice: readonly number[];
  /** What exporting one kWh earns in each slot. */
  sellPrice: readonly number[];
  /** The household's own net load per slot (Wh, + import), for self-consumption; default 0. */
  netLoadWh?: readonly number[];
  /** Value of a Wh still stored at the end (default: the mean buy price times the discharge efficiency). */
  terminalValuePerWh?: number;
  /** SOC grid points (default 101: steps of 1 % of the window). */
  levels?: number;
}

export interface BatteryPlan {
  /** Power per slot, W, + discharge (OpenEMS convention). */
  powerW: number[];
  /** Expected SOC at the end of each slot. */
  socWh: number[];
  /** Expected cost of the plan (currency; negative = earnings), terminal value included. */
  cost: number;
}

/**
 * Plans a battery over the price horizon by dynamic programming over its state of charge:
 * each slot moves between SOC grid points the power limits allow, paying for imports and
 * earning for exports at that slot's prices, with charging and discharging losses. Slots
 * without a price forecast hold (power 0): no forecast, no trade.
 */
export function planBattery(input: BatteryPlanInput): BatteryPlan {
  const { spec: b, minutes } = input;
  const n = input.buyPrice.length;
  const G = Math.max(2, input.levels ?? 101);
  const lo = minSocWh(b);
  const hi = maxSocWh(b);
  const step = (hi - lo) / (G - 1);
  const eta = oneWayEfficiency(b);
  const hours = minutes / 60;
  const maxUp = Math.floor((b.maxChargeW * hours * eta) / step + 1e-9); // grid steps per slot, charging
  const maxDown = Math.floor((b.maxDischargeW * hours) / eta / step + 1e-9);
  const known = input.buyPrice.filter(Number.isFinite);
  const terminal =
    input.terminalValuePerWh ?? ((known.reduce((s, p) => s + p, 0) / Math.max(1, known.length)) * eta) / 1000;
  const start = Math.min(G - 1, Math.max(0, Math.round((input.socWh - lo) / step)));

  // V[t][i]: least cost from slot t at grid point i to the end; layer t is V[t·G, (t+1)·G)
  const V = new Float64Array((n + 1) * G);
  const choice = new Int32Array(n * G);
  for (let i = 0; i < G; i++) V[n * G + i] = -(lo + i * step) * terminal;
  // a slot's cost depends only on how many grid steps the battery moves, not on where from:
  // computed once per slot for each move (the same arithmetic as per pair, so the same plan)
  const span = maxDown + maxUp + 1;
  const moveCost = new Float64Array(span);
  for (let t = n - 1; t >= 0; t--) {
    const buy = input.buyPrice[t] ?? Number.NaN;
    const sell = input.sellPrice[t] ?? Number.NaN;
    const load = input.netLoadWh?.[t] ?? 0;
    const tradeable = Number.isFinite(buy) && Number.isFinite(sell);
    const next = (t + 1) * G;
    const here = t * G;
    if (tradeable)
      for (let d = -maxDown; d <= maxUp; d++) {
        const cellWh = d * step; // + stored, - taken
        const acWh = cellWh >= 0 ? cellWh / eta : cellWh * eta; // AC energy into (+) or out of (-) the battery
        const gridWh = load + acWh;
        moveCost[d + maxDown] = (gridWh >= 0 ? gridWh * buy : gridWh * sell) / 1000;
      }
    for (let i = 0; i < G; i++) {
      if (!tradeable) {
        V[here + i] = 0 + (V[next + i] as number);
        choice[here + i] = i;
        continue;
      }
      let best = Number.POSITIVE_INFINITY;
      let arg = i;
      const from = Math.max(0, i - maxDown);
      const to = Math.min(G - 1, i + maxUp);
      for (let j = from; j <= to; j++) {
        const c = (moveCost[j - i + maxDown] as number) + (V[next + j] as number);
        if (c < best - 1e-12) {
          best = c;
          arg = j;
        }
      }
      V[here + i] = best;
      choice[here + i] = arg;
    }
  }
  const powerW: number[] = [];
  const socs: number[] = [];
  let i = start;
  for (let t = 0; t < n; t++) {
    const j = choice[t * G + i] as number;
    const cellWh = (j - i) * step;
    const acWh = cellWh >= 0 ? cellWh / eta : cellWh * eta;
    powerW.push(Math.trunc(-acWh / hours) + 0);
    socs.push(lo + j * step);
    i = j;
  }
  return { powerW, socWh: socs, cost: V[start] as number };
}
