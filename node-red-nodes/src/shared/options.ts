import { type FieldProblem, fieldPath } from "@openlem/protocol";
import { z } from "zod";

/*
 * The nodes' options as the runtime takes them, kept free of the runtime's dependencies: the
 * build bundles this (with each node's options.ts) into the editor, so the edit dialogs check
 * a field with the very rules the runtime applies.
 */

/** Editor values arrive as strings: numbers become numbers, empty fields are left out. */
export function editorValues(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === "" || v === null || v === undefined) continue;
    out[k] = typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  }
  return out;
}

/** Price limits as every device node takes them: absolute, or the cheapest share of slots. */
export const LimitOptions = z.object({
  limit: z.enum(["absolute", "relative"]).default("absolute"),
  maxBuyPrice: z.number().min(-10).max(10).optional(),
  cheapestShare: z.number().gt(0).max(1).default(0.25),
  minSellPrice: z.number().min(-10).max(10).optional(),
});
export type LimitOptions = z.output<typeof LimitOptions>;

/**
 * The problems of a node's options, worded as the runtime and the edit dialog both say them:
 * each field and its rule.
 */
export function optionProblems(schema: z.ZodType, values: Record<string, unknown>): FieldProblem[] {
  const r = schema.safeParse(values);
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    field: fieldPath(i.path),
    rule:
      i.code === "invalid_type" && i.expected === "number"
        ? "must be a number written with digits and a decimal point, such as 0.25 or 3000"
        : i.message,
  }));
}
