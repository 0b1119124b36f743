import { z } from "zod";
import { LimitOptions } from "../../shared/options.js";

/** The node's options (editor values after editorValues), for the runtime and the edit dialog alike. */
export const Options = LimitOptions.extend({
  capacityWh: z.number().int().positive().default(10_000),
  maxChargeW: z.number().int().positive().default(5_000),
  maxDischargeW: z.number().int().positive().default(5_000),
  roundTripEfficiency: z.number().gt(0).max(1).default(0.9),
  minSoc: z.number().min(0).max(1).default(0.1),
  maxSoc: z.number().min(0).max(1).default(0.95),
  /** The Home Assistant number entity that takes the set-point (W, + discharge); empty: plain W. */
  entity: z.string().optional(),
});
export type Options = z.output<typeof Options>;
