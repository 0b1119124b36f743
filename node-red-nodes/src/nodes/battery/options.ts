import { BatterySpec } from "@openlem/agents/devices";
import { z } from "zod";
import { LimitOptions } from "../../shared/options.js";

/**
 * The node's options (editor values after editorValues), for the runtime and the edit dialog
 * alike: the battery as @openlem/agents defines it, with a typical home battery (10 kWh, 5 kW)
 * for the fields a new node starts with.
 */
export const Options = LimitOptions.extend({
  ...BatterySpec.shape,
  capacityWh: BatterySpec.shape.capacityWh.default(10_000),
  maxChargeW: BatterySpec.shape.maxChargeW.default(5_000),
  maxDischargeW: BatterySpec.shape.maxDischargeW.default(5_000),
  /** The Home Assistant number entity that takes the set-point (W, + discharge); empty: plain W. */
  entity: z.string().optional(),
});
export type Options = z.output<typeof Options>;
