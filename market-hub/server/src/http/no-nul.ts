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
 * The zod validator, with one rule in front that every string of the API shares: no NUL
 * characters. Without it a NUL in a community's name reaches PostgreSQL and answers 500.
 */
export const noNulValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  const check = validatorCompiler(route);
  const nul = validatorCompiler({ ...route, schema: NulFree });
  return (data) => {
    const found = nul(data);
    return typeof found === "object" && "error" in found && found.error ? found : check(data);
  };
};
