import { BatterySpec } from "@openlem/agents/devices";
import { z } from "zod";
import { type DeviceSettings, LimitOptions, limitsOf } from "../../shared/options.js";

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

/** The household spec the runtime runs (and the dialog checks): the battery and its window. */
export const batterySettings: DeviceSettings<Options> = {
  options: Options,
  specOf: (o) => ({
    battery: {
      capacityWh: o.capacityWh,
      maxChargeW: o.maxChargeW,
      maxDischargeW: o.maxDischargeW,
      roundTripEfficiency: o.roundTripEfficiency,
      minSoc: o.minSoc,
      maxSoc: o.maxSoc,
    },
    limits: limitsOf(o),
  }),
};
