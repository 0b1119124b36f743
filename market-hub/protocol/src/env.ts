import type { z } from "zod";
import { describeProblems, fieldProblems } from "./errors.js";

/**
 * `${NAME}` in the string values of a parsed config file becomes the environment variable
 * NAME, so tokens and passwords stay out of the file. A variable that is not set is an error
 * that names where it was asked for (`hub.deviceToken: environment variable X is not set`).
 */
export function expandEnv(value: unknown, env: Record<string, string | undefined>, path = ""): unknown {
  if (typeof value === "string")
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new Error(`${path || "value"}: environment variable ${name} is not set`);
      return v;
    });
  if (Array.isArray(value)) return value.map((x, i) => expandEnv(x, env, `${path}[${i}]`));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, expandEnv(x, env, path ? `${path}.${k}` : k)]));
  return value;
}

/** A config file that cannot be used: the message names the field and the rule. */
export class ConfigError extends Error {}

/**
 * A parsed config file (YAML or JSON) checked against its schema after `${NAME}` expansion;
 * throws ConfigError with every field and rule that failed.
 */
export function configFrom<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  env: Record<string, string | undefined>,
): z.output<S> {
  let expanded: unknown;
  try {
    expanded = expandEnv(raw, env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const parsed = schema.safeParse(expanded);
  if (!parsed.success) throw new ConfigError(describeProblems(fieldProblems(parsed.error)));
  return parsed.data;
}
