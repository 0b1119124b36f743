import { readFileSync } from "node:fs";
import { describeProblems, fieldProblems } from "@openlem/protocol";
import { z } from "zod";

const Port = z.coerce.number().int().min(0).max(65_535);

/** The hub's settings, read from environment variables (names in upper case in the docs). */
export const HubConfig = z.object({
  /** HTTP port (PORT). */
  port: Port.default(8787),
  /** Interface to listen on (HOST); 0.0.0.0 to serve the neighbourhood's devices. */
  host: z.string().min(1).default("127.0.0.1"),
  /** PostgreSQL (DATABASE_URL); without it an embedded PGlite database in dataDir. */
  databaseUrl: z.url({ protocol: /^postgres(ql)?$/, message: "must be a postgres:// URL" }).optional(),
  /** PGlite's data directory (OPENLEM_DATA_DIR). */
  dataDir: z.string().min(1).default("./data"),
  /** External MQTT broker (MQTT_URL); without it an embedded broker. */
  mqttUrl: z
    .url({ protocol: /^(mqtts?|wss?)$/, message: "must be an mqtt://, mqtts://, ws:// or wss:// URL" })
    .optional(),
  /** Credentials for the external broker (MQTT_USERNAME, MQTT_PASSWORD). */
  mqttUsername: z.string().optional(),
  mqttPassword: z.string().optional(),
  /** TCP port of the embedded broker (OPENLEM_MQTT_PORT); 1884 keeps clear of a system broker on 1883. */
  mqttPort: Port.default(1884),
  /** Access tokens live this long (OPENLEM_ACCESS_TOKEN_MINUTES). */
  accessTokenMinutes: z.coerce.number().int().min(1).max(1440).default(15),
  /** Refresh tokens live this long (OPENLEM_REFRESH_TOKEN_DAYS). */
  refreshTokenDays: z.coerce.number().int().min(1).max(365).default(30),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Requests a minute one address may make to the routes that check a password or PIN (login,
   * register, refresh, meter linking; OPENLEM_AUTH_RATE_PER_MINUTE).
   */
  authRatePerMinute: z.coerce.number().int().min(1).max(100_000).default(60),
  /**
   * Web pages that may call the API from a browser (OPENLEM_CORS_ORIGINS, comma-separated),
   * e.g. Home Assistant's address for the cards' hub source. None by default.
   */
  corsOrigins: z
    .union([
      z.array(z.string()),
      z.string().transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.url({ message: "must be an origin such as http://homeassistant.local:8123" })))
    .default([]),
});
export type HubConfig = z.output<typeof HubConfig>;

const ENV: Record<keyof HubConfig, string> = {
  port: "PORT",
  host: "HOST",
  databaseUrl: "DATABASE_URL",
  dataDir: "OPENLEM_DATA_DIR",
  mqttUrl: "MQTT_URL",
  mqttPort: "OPENLEM_MQTT_PORT",
  mqttUsername: "MQTT_USERNAME",
  mqttPassword: "MQTT_PASSWORD",
  accessTokenMinutes: "OPENLEM_ACCESS_TOKEN_MINUTES",
  refreshTokenDays: "OPENLEM_REFRESH_TOKEN_DAYS",
  logLevel: "LOG_LEVEL",
  authRatePerMinute: "OPENLEM_AUTH_RATE_PER_MINUTE",
  corsOrigins: "OPENLEM_CORS_ORIGINS",
};

/**
 * Reads the configuration: a JSON file (OPENLEM_CONFIG, or `--config`) with the keys of
 * HubConfig, then environment variables over it, then `overrides`. A bad value names where it
 * came from (the variable, or the file and key) and the rule.
 */
export function configFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<HubConfig> = {},
  file: string | undefined = env.OPENLEM_CONFIG,
): HubConfig {
  const fromFile = file ? readConfigFile(file) : {};
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== "") fromEnv[key] = v;
  }
  const r = HubConfig.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (r.success) return r.data;
  const problems = fieldProblems(r.error).map((p) => {
    const key = p.field as keyof HubConfig;
    const where = key in fromEnv ? ENV[key] : file && key in fromFile ? `${file}: ${key}` : p.field;
    return { ...p, field: where };
  });
  throw new Error(`invalid configuration: ${describeProblems(problems)}`);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`invalid configuration: cannot read the configuration file ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`invalid configuration: ${file} is not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(`invalid configuration: ${file} must hold a JSON object with the settings as keys`);
  }
  const unknown = Object.keys(json).filter((k) => !(k in ENV));
  if (unknown.length > 0) {
    throw new Error(
      `invalid configuration: ${file}: unknown setting ${unknown.join(", ")}; settings are ${Object.keys(ENV).join(", ")}`,
    );
  }
  return json as Record<string, unknown>;
}
