import { readFileSync } from "node:fs";
import { PriceLimits } from "@openlem/agents";
import { describeProblems, fieldProblems } from "@openlem/protocol";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const EdgeBridgeConfig = z
  .object({
    edge: z
      .object({
        /** The Edge's REST API (Controller Api REST/JSON), default port 8084. */
        url: z.url({ protocol: /^https?$/, message: "must be the Edge's http(s) URL, e.g. http://192.168.1.50:8084" }),
        /** HTTP basic auth; the Edge checks only the password (user "x" is fine). */
        username: z.string().default("x"),
        password: z.string().min(1, "is required (the Edge user's password)"),
        /** The battery component and the meter counters, if the Edge has them. */
        ess: z.string().default("ess0"),
        /** Cumulative grid energy channels (Wh); without them readings are integrated from power. */
        importCounter: z.string().optional(),
        exportCounter: z.string().optional(),
      })
      .strict(),
    hub: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        community: z.string().min(1),
        household: z.string().min(1),
        deviceToken: z.string().min(1, "is required"),
      })
      .strict(),
    meterId: z.string().min(1),
    battery: z
      .object({
        maxChargeW: z.number().int().positive(),
        maxDischargeW: z.number().int().positive(),
        roundTripEfficiency: z.number().gt(0).max(1).default(0.9),
        minSoc: z.number().min(0).max(1).default(0.1),
        maxSoc: z.number().min(0).max(1).default(0.95),
        /** Capacity in Wh; default: what the Edge says (ess0/Capacity). */
        capacityWh: z.number().int().positive().optional(),
      })
      .strict(),
    limits: PriceLimits.default({}),
    /** The Edge drops a set-point not renewed within its 60 s API timeout: renew well inside it. */
    renewSeconds: z.number().int().min(1).max(50).default(20),
    /** How often the grid power is sampled for derived readings (s). */
    sampleSeconds: z.number().int().min(1).max(60).default(10),
    stateDir: z.string().default("./openlem-state"),
  })
  .strict();
export type EdgeBridgeConfig = z.output<typeof EdgeBridgeConfig>;

export class ConfigError extends Error {}

function expandEnv(v: unknown, env: NodeJS.ProcessEnv, path: string): unknown {
  if (typeof v === "string")
    return v.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      const value = env[name];
      if (value === undefined) throw new ConfigError(`${path}: environment variable ${name} is not set`);
      return value;
    });
  if (Array.isArray(v)) return v.map((x, i) => expandEnv(x, env, `${path}[${i}]`));
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandEnv(x, env, path ? `${path}.${k}` : k)]));
  return v;
}

export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): EdgeBridgeConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`not YAML: ${(err as Error).message}`);
  }
  const parsed = EdgeBridgeConfig.safeParse(expandEnv(raw, env, ""));
  if (!parsed.success) throw new ConfigError(describeProblems(fieldProblems(parsed.error)));
  return parsed.data;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): EdgeBridgeConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`cannot read ${file}: does the file exist?`);
  }
  return parseConfig(text, env);
}
