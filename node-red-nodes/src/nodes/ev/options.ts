import { EvCharger } from "@openlem/agents/devices";
import { LocalClock } from "@openlem/protocol";
import { z } from "zod";
import { type DeviceSettings, LimitOptions, limitsOf } from "../../shared/options.js";

/** The node's options (editor values after editorValues), for the runtime and the edit dialog alike. */
export const Options = LimitOptions.extend({
  maxPowerW: EvCharger.shape.maxPowerW.default(11_000),
  /** Defaults for a session when the car does not say: energy to add, and when it leaves. */
  needKwh: z.number().min(0).default(20),
  departure: LocalClock.default("07:00"),
  /** The Home Assistant number entity that takes the charging power (W); empty: plain W. */
  entity: z.string().optional(),
});
export type Options = z.output<typeof Options>;

/** The household spec the runtime runs (and the dialog checks): the charger and the limits. */
export const evSettings: DeviceSettings<Options> = {
  options: Options,
  specOf: (o) => ({ ev: { maxPowerW: o.maxPowerW }, limits: limitsOf(o) }),
};
