import type { z } from "zod";

/** One problem with an input: which field, and the rule it breaks. */
export interface FieldProblem {
  field: string;
  rule: string;
}

/** Renders a path like ["orders", 3, "limitPrice"] as "orders[3].limitPrice". */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || "(root)";
}

/** Turns a zod error into field/rule pairs, the shape every OpenLEM error response uses. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: fieldPath(issue.path), rule: issue.message }));
}

/**
 * One line per problem: "orders[3].limitPrice: must have at most 5 decimal places". With
 * `within` (where the checked value came from, e.g. "payload"), fields are named from there,
 * and a problem with the value as a whole is named by `within` alone.
 */
export function describeProblems(problems: readonly FieldProblem[], within?: string): string {
  const name = (field: string) => {
    if (!within) return field;
    if (field === "(root)") return within;
    return field.startsWith("[") ? `${within}${field}` : `${within}.${field}`;
  };
  return problems.map((p) => `${name(p.field)}: ${p.rule}`).join("; ");
}

/**
 * Parses with a schema and throws an Error whose message names every field and rule.
 * For call sites that have no structured error channel (CLI, config files).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new Error(`invalid ${what}: ${describeProblems(fieldProblems(r.error))}`);
}
