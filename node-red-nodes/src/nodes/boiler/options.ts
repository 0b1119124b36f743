import { BoilerDevice, HouseholdSpec } from "@openlem/agents/devices";
import { z } from "zod";
import { type DeviceSettings, LimitOptions, limitsOf } from "../../shared/options.js";

/**
 * The node's options (editor values after editorValues), for the runtime and the edit dialog
 * alike: the boiler as @openlem/agents defines it, with a typical tank (200 L, 3 kW) for the
 * fields a new node starts with, and the switching limits of the household's plan.
 */
export const Options = LimitOptions.extend({
  ...BoilerDevice.shape,
  volumeL: BoilerDevice.shape.volumeL.default(200),
  heaterW: BoilerDevice.shape.heaterW.default(3000),
  minOnSlots: HouseholdSpec.shape.boilerMinOnSlots,
  minOffSlots: HouseholdSpec.shape.boilerMinOffSlots,
  /** The Home Assistant switch of the element, e.g. switch.boiler; empty: plain on / off. */
  entity: z.string().optional(),
});
export type Options = z.output<typeof Options>;

/** The household spec the runtime runs (and the dialog checks): the boiler and its switching limits. */
export const boilerSettings: DeviceSettings<Options> = {
  options: Options,
  specOf: (o) => ({
    boiler: {
      volumeL: o.volumeL,
      heaterW: o.heaterW,
      minTempC: o.minTempC,
      targetTempC: o.targetTempC,
      maxTempC: o.maxTempC,
      legionellaTempC: o.legionellaTempC,
      legionellaEveryDays: o.legionellaEveryDays,
      standingLossWhPerDay: o.standingLossWhPerDay,
    },
    boilerMinOnSlots: o.minOnSlots,
    boilerMinOffSlots: o.minOffSlots,
    boilerResolutionK: 0.5,
    limits: limitsOf(o),
  }),
};
