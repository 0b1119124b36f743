import { HouseholdSpec, type HouseholdSpecInput } from "@openlem/agents/devices";
import { type FieldProblem, fieldPath } from "@openlem/protocol";
import { z } from "zod";

/*
 * The nodes' options as the runtime takes them, kept free of the runtime's dependencies: the
 * build bundles this (with each node's options.ts) into the editor, so the edit dialogs check
 * a node with the very rules the runtime applies, the rules between fields included.
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

export function limitsOf(o: LimitOptions): HouseholdSpecInput["limits"] {
  return {
    maxBuyPrice: o.limit === "relative" ? { cheapestShare: o.cheapestShare } : o.maxBuyPrice,
    minSellPrice: o.minSellPrice,
  };
}

/**
 * A problem with a node's settings: the field it is reported on, the rule, and every field the
 * rule involves (a rule between fields, such as "minTempC must be below targetTempC", marks
 * both in the dialog).
 */
export interface OptionProblem extends FieldProblem {
  fields: string[];
}

const NUMBER_RULE = "must be a number written with digits and a decimal point, such as 0.25 or 3000";

/** The household spec's names for the fields a node names otherwise. */
const NODE_FIELD: Record<string, string> = { boilerMinOnSlots: "minOnSlots", boilerMinOffSlots: "minOffSlots" };

function problemsOf(error: z.ZodError, field: (path: readonly PropertyKey[]) => string): OptionProblem[] {
  return error.issues.map((i) => {
    const node = (f: string) => NODE_FIELD[f] ?? f;
    const named = node(field(i.path));
    const involved = i.code === "custom" && Array.isArray(i.params?.fields) ? (i.params.fields as unknown[]) : [];
    return {
      field: named,
      rule: i.code === "invalid_type" && i.expected === "number" ? NUMBER_RULE : i.message,
      fields: [named, ...involved.map((f) => node(String(f))).filter((f) => f !== named)],
    };
  });
}

/**
 * The problems of a node's options, worded as the runtime and the edit dialog both say them:
 * each field and its rule.
 */
export function optionProblems(schema: z.ZodType, values: Record<string, unknown>): OptionProblem[] {
  const r = schema.safeParse(values);
  return r.success ? [] : problemsOf(r.error, fieldPath);
}

/** What a device node's settings are checked with: its options, and the household spec they make. */
export interface DeviceSettings<O> {
  options: z.ZodType<O>;
  specOf(o: O): HouseholdSpecInput;
}

/**
 * A device node's settings, checked as the runtime runs them: each field against the node's
 * options, then the device's rules between fields (the household spec's refinements), each
 * problem named by the node's own field. Either the settings or every problem found.
 */
export function deviceSettings<O>(
  kind: DeviceSettings<O>,
  values: Record<string, unknown>,
): { ok: true; opts: O; spec: HouseholdSpec } | { ok: false; problems: OptionProblem[] } {
  const o = kind.options.safeParse(values);
  if (!o.success) return { ok: false, problems: problemsOf(o.error, fieldPath) };
  const sp = HouseholdSpec.safeParse(kind.specOf(o.data));
  if (!sp.success) {
    // the spec nests the node's fields (boiler.minTempC, limits.maxBuyPrice.cheapestShare)
    const last = (path: readonly PropertyKey[]) => String(path.filter((p) => typeof p === "string").at(-1) ?? "(root)");
    return { ok: false, problems: problemsOf(sp.error, last) };
  }
  return { ok: true, opts: o.data, spec: sp.data };
}

/**
 * Options good enough to address the device when the settings are refused: each field that
 * breaks a rule of its own falls back to its default, so the node can still hand the device
 * back (its entity, the charger's power). Null when even that fails.
 */
export function usableOptions<O>(schema: z.ZodType<O>, values: Record<string, unknown>): O | null {
  let v = { ...values };
  for (let i = 0; i < 20; i++) {
    const r = schema.safeParse(v);
    if (r.success) return r.data;
    const broken = new Set(r.error.issues.map((issue) => String(issue.path[0] ?? "")));
    if (broken.has("")) return null;
    v = Object.fromEntries(Object.entries(v).filter(([k]) => !broken.has(k)));
  }
  return null;
}
