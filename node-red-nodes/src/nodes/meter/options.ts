import { z } from "zod";

/** The meter node's fields, for the runtime and the edit dialog alike. */
export const Def = z.object({
  meterId: z.string().min(1, "is required: the meter's id from the operator"),
  unit: z.enum(["kWh", "Wh"]).default("kWh"),
  registers: z.enum(["import-export", "import", "export"]).default("import-export"),
});
