import type { FastifySchemaCompiler } from "fastify";
import { validatorCompiler } from "fastify-type-provider-zod";
import { z } from "zod";

/** Where a value holds a NUL character (U+0000), in a string or a key: PostgreSQL's text refuses it. */
function nulPaths(
  value: unknown,
  path: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (typeof value === "string") {
    if (value.includes("\u0000")) out.push(path);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) nulPaths(v, [...path, i], out);
  } else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k.includes("\u0000")) out.push([...path, k]);
      nulPaths(v, [...path, k], out);
    }
  return out;
}

/** Every string of every request, whatever its route: a format rule (400), named by field. */
const NulFree = z.unknown().superRefine((value, ctx) => {
  for (const path of nulPaths(value))
    ctx.addIssue({
      code: "invalid_format",
      format: "regex",
      pattern: "^[^\\u0000]*$",
      path,
      message: "must not contain the NUL character (U+0000)",
      input: "",
    });
});

/**
 * The zod validator, with one more rule that every string of the API shares: no NUL
 * characters. Without it a NUL in a community's name reaches PostgreSQL and answers 500. It is
 * checked on what the schema took (keys the API ignores are gone by then), so it names only
 * fields the hub would keep.
 */
export const noNulValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  const check = validatorCompiler(route);
  const nul = validatorCompiler({ ...route, schema: NulFree });
  return (data) => {
    const taken = check(data);
    if (typeof taken !== "object" || !("value" in taken) || taken.error) return taken;
    const found = nul(taken.value);
    return typeof found === "object" && "error" in found && found.error ? found : taken;
  };
};

/**
 * The same rule in the OpenAPI document: every string schema says it holds no NUL (`not` a
 * match of U+0000, which composes with any pattern or format it has), so a client generated
 * from the document, and schemathesis, know the 400 before they meet it.
 */
export function forbidNulInStrings<T>(doc: T): T {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    const types = Array.isArray(o.type) ? o.type : [o.type];
    if (types.includes("string") && o.not === undefined && o.enum === undefined && o.const === undefined)
      o.not = { pattern: "\u0000" };
    for (const v of Object.values(o)) visit(v);
  };
  visit(doc);
  return doc;
}
