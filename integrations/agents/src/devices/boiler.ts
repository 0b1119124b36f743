import { z } from "zod";

/** Heat capacity of water: 1.163 Wh per litre and kelvin. */
export const WATER_WH_PER_L_K = 1.163;

/** A hot-water boiler with an electric element. Temperatures in °C, energies in Wh of heat. */
export const BoilerSpec = z
  .object({
    volumeL: z.number().positive(),
    heaterW: z.number().int().positive(),
    /** Below this the water is too cold for comfort: the safety layer heats, whatever the price. */
    minTempC: z.number().default(45),
    targetTempC: z.number().default(55),
    /** Never heat beyond this. */
    maxTempC: z.number().default(65),
    /** Standing losses per day at the target temperature (Wh). */
    standingLossWhPerDay: z.number().min(0).default(1500),
    /** Anti-legionella: reach this temperature at least every `legionellaEveryDays` days. */
    legionellaTempC: z.number().default(60),
    legionellaEveryDays: z.number().int().positive().default(7),
  })
  // each rule names every field it involves (params.fields), so an editor can mark them all
  .refine((b) => b.minTempC < b.targetTempC, {
    message: "must be below targetTempC",
    path: ["minTempC"],
    params: { fields: ["minTempC", "targetTempC"] },
  })
  .refine((b) => b.targetTempC <= b.maxTempC, {
    message: "must not exceed maxTempC",
    path: ["targetTempC"],
    params: { fields: ["targetTempC", "maxTempC"] },
  })
  .refine((b) => b.legionellaTempC <= b.maxTempC, {
    message: "must not exceed maxTempC",
    path: ["legionellaTempC"],
    params: { fields: ["legionellaTempC", "maxTempC"] },
  });
export type BoilerSpec = z.output<typeof BoilerSpec>;

/**
 * A boiler as every front end (Home Assistant bridge, Node-RED node, simulator) configures it:
 * the spec and the hot water the household draws a day. Each extends this with what it needs
 * (entities, switching limits), so a default is written here once.
 */
export const BoilerDevice = BoilerSpec.safeExtend({
  /** Hot water used per day (kWh of heat), drawn in the morning and evening. */
  drawKwhPerDay: z.number().min(0).default(4.5),
});
export type BoilerDevice = z.output<typeof BoilerDevice>;

export const heatCapacityWhPerK = (b: BoilerSpec) => b.volumeL * WATER_WH_PER_L_K;

/**
 * The tank temperature after a slot: heating (element on) adds heaterW, the hot-water draw and
 * the standing loss (proportional to the temperature above 20 °C ambient) take heat away.
 */
export function boilerStep(b: BoilerSpec, tempC: number, on: boolean, drawWh: number, minutes: number): number {
  // the planner (strategies/boiler-plan.ts) writes this step out in its loop: keep the two alike
  const lossWh = ((b.standingLossWhPerDay * minutes) / 1440) * Math.max(0, (tempC - 20) / (b.targetTempC - 20));
  return tempC + ((on ? (b.heaterW * minutes) / 60 : 0) - drawWh - lossWh) / heatCapacityWhPerK(b);
}
