import { z } from "zod";

/** An EV charging session: plugged in at `arrival`, needs `needWh` by `departure`. */
export const EvSession = z
  .object({
    arrival: z.iso.datetime(),
    departure: z.iso.datetime(),
    needWh: z.number().int().min(0),
    maxPowerW: z.number().int().positive(),
  })
  .refine((s) => Date.parse(s.departure) > Date.parse(s.arrival), {
    message: "must be after arrival",
    path: ["departure"],
  });
export type EvSession = z.output<typeof EvSession>;
