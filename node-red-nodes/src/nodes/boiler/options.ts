import { z } from "zod";
import { LimitOptions } from "../../shared/options.js";

/** The node's options (editor values after editorValues), for the runtime and the edit dialog alike. */
export const Options = LimitOptions.extend({
  volumeL: z.number().positive().default(200),
  heaterW: z.number().int().positive().default(3000),
  minTempC: z.number().default(45),
  targetTempC: z.number().default(55),
  maxTempC: z.number().default(65),
  legionellaTempC: z.number().default(60),
  legionellaEveryDays: z.number().int().positive().default(7),
  standingLossWhPerDay: z.number().min(0).default(1500),
  drawKwhPerDay: z.number().min(0).default(4.5),
  minOnSlots: z.number().int().min(1).default(2),
  minOffSlots: z.number().int().min(1).default(2),
  /** The Home Assistant switch of the element, e.g. switch.boiler; empty: plain on / off. */
  entity: z.string().optional(),
});
export type Options = z.output<typeof Options>;
