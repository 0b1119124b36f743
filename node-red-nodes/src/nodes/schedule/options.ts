import { z } from "zod";

/** The schedule node's fields (editor values after editorValues), for the runtime and the edit dialog alike. */
export const Options = z.object({
  powerW: z.number().int().positive("must be the device's power in W when it is on"),
  /** Empty: the community's retail price, what the device would pay without OpenLEM. */
  maxBuyPrice: z.number().min(-10).max(10).optional(),
  /**
   * The energy the device needs a day (kWh), for plans whose "on" means "may run" (Best Save);
   * empty: it draws its power whenever the plan has it on (Lowest Price, a fixed schedule).
   */
  dailyKwh: z.number().gt(0, "must be the energy the device needs a day, in kWh").max(1000).optional(),
});
export type Options = z.output<typeof Options>;
