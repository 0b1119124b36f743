import { readFileSync } from "node:fs";
import { ConfigError, configFrom } from "@openlem/protocol";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";

/** A bridge's YAML config text, checked against its schema (`${NAME}` from the environment). */
export function parseYamlConfig<S extends z.ZodType>(
  schema: S,
  text: string,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`not YAML: ${(err as Error).message}`);
  }
  return configFrom(schema, raw, env);
}

/** The same, read from a file; a missing file says so. */
export function loadYamlConfig<S extends z.ZodType>(
  schema: S,
  file: string,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`cannot read ${file}: does the file exist?`);
  }
  return parseYamlConfig(schema, text, env);
}
