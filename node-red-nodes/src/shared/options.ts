import type { z } from "zod";

/** A zod error as one line naming the field and the rule, e.g. "heaterW: must be above 0". */
export function problemOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ");
}
