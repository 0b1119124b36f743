import { z } from "zod";

/**
 * A battery as the agents see it. Power follows the OpenEMS convention: + discharge, − charge
 * (W, at the AC side). The round-trip efficiency is split evenly between charging and
 * discharging, so a full cycle loses exactly (1 − efficiency).
 */
export const BatterySpec = z
  .object({
    capacityWh: z.number().int().positive(),
    maxChargeW: z.number().int().positive(),
    maxDischargeW: z.number().int().positive(),
    roundTripEfficiency: z.number().gt(0).max(1).default(0.9),
    /** The usable window, as fractions of capacity (10 % to 95 % by default). */
    minSoc: z.number().min(0).max(1).default(0.1),
    maxSoc: z.number().min(0).max(1).default(0.95),
  })
  .refine((b) => b.minSoc < b.maxSoc, {
    message: "must be below maxSoc",
    path: ["minSoc"],
    params: { fields: ["minSoc", "maxSoc"] },
  });
export type BatterySpec = z.output<typeof BatterySpec>;

export const oneWayEfficiency = (b: BatterySpec) => Math.sqrt(b.roundTripEfficiency);
export const minSocWh = (b: BatterySpec) => b.capacityWh * b.minSoc;
export const maxSocWh = (b: BatterySpec) => b.capacityWh * b.maxSoc;

/** The state of charge after holding `powerW` for `minutes` (no clamping: see the safety layer). */
export function batteryStep(b: BatterySpec, socWh: number, powerW: number, minutes: number): number {
  const acWh = (powerW * minutes) / 60;
  const eta = oneWayEfficiency(b);
  // discharging draws more from the cells than reaches the AC side; charging stores less
  return acWh >= 0 ? socWh - acWh / eta : socWh - acWh * eta;
}
