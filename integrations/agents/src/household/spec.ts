import { Price } from "@openlem/protocol";
import { z } from "zod";
import { BatterySpec } from "../devices/battery.js";
import { BoilerSpec } from "../devices/boiler.js";

/** An EV charger: the sessions (arrival, departure, energy) come from the device state. */
export const EvCharger = z.object({ maxPowerW: z.number().int().positive() });
export type EvCharger = z.output<typeof EvCharger>;

/**
 * What the household pays at most for a kWh and takes at least for one it sells. `maxBuyPrice`
 * may instead be relative: `{ cheapestShare: 0.25 }` buys only in the cheapest quarter of the
 * forecast slots (unknown forecast: the absolute default applies).
 */
export const PriceLimits = z.object({
  maxBuyPrice: z.union([Price, z.object({ cheapestShare: z.number().gt(0).max(1) })]).optional(),
  minSellPrice: Price.optional(),
});
export type PriceLimits = z.output<typeof PriceLimits>;

/** A household's flexible devices and how it trades. */
export const HouseholdSpec = z.object({
  battery: BatterySpec.optional(),
  boiler: BoilerSpec.optional(),
  ev: EvCharger.optional(),
  limits: PriceLimits.default({}),
  /** Minimum on and off times of the boiler's element, in slots. */
  boilerMinOnSlots: z.number().int().min(1).default(2),
  boilerMinOffSlots: z.number().int().min(1).default(2),
  /** Planner resolution: battery SOC levels and boiler temperature grid (K). */
  batteryLevels: z.number().int().min(2).max(1001).default(101),
  boilerResolutionK: z.number().gt(0).max(2).default(0.1),
});
export type HouseholdSpec = z.output<typeof HouseholdSpec>;
export type HouseholdSpecInput = z.input<typeof HouseholdSpec>;
