import { loadYamlConfig, PriceLimits, parseYamlConfig } from "@openlem/agents";
import { ConfigError, HubConnectionConfig } from "@openlem/protocol";
import { z } from "zod";

export const EdgeBridgeConfig = z
  .object({
    edge: z
      .object({
        /** The Edge's REST API (Controller Api REST/JSON), default port 8084; with or without OpenEMS's `/rest`. */
        url: z
          .url({ protocol: /^https?$/, message: "must be the Edge's http(s) URL, e.g. http://192.168.1.50:8084" })
          .transform((u) => u.replace(/\/+$/, "").replace(/\/rest$/, "")),
        /**
         * HTTP basic auth; the Edge checks only the password (user "x" is fine). OpenEMS's docs
         * put them in the URL (`http://x:owner@edge:8084/rest`), which works too.
         */
        username: z.string().default("x"),
        password: z.string().min(1, "is required (the Edge user's password)").optional(),
        /** The battery component and the meter counters, if the Edge has them. */
        ess: z.string().default("ess0"),
        /**
         * Where the meter readings come from: the Edge's cumulative grid energy (`counters`, Wh,
         * what every Edge with a grid meter has in `_sum`), or, for an Edge without a grid meter
         * counter, grid power integrated by the bridge (`integrate`: readings flagged derived,
         * registers from 0, kept in stateDir).
         */
        readings: z.enum(["counters", "integrate"]).default("counters"),
        /** The counters: bought from the grid and sold to it (OpenEMS's Sum component). */
        importCounter: z.string().default("_sum/GridBuyActiveEnergy"),
        exportCounter: z.string().default("_sum/GridSellActiveEnergy"),
        /** The REST controller (for its ApiWorkerLog); default: the one the Edge's config names, else ctrlApiRest0. */
        controller: z.string().min(1).optional(),
        /**
         * The controller's Api-Timeout (s), where the Edge does not say it (getEdgeConfig): the
         * renewals keep well inside it. 0 (never expires) is refused.
         */
        apiTimeoutSeconds: z.number().int().min(0).default(60),
      })
      .strict()
      .transform(credentialsFromUrl),
    // no live feed: the bridge reads results over REST
    hub: HubConnectionConfig.omit({ mqttUrl: true }).strict(),
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
    /**
     * The Edge drops a set-point not renewed within its API timeout (60 s by default): renew well
     * inside it. A shorter API timeout shortens the renewals to a third of it.
     */
    renewSeconds: z.number().int().min(1).max(50).default(20),
    /** How often the grid power is sampled for derived readings (s). */
    sampleSeconds: z.number().int().min(1).max(60).default(10),
    stateDir: z.string().default("./openlem-state"),
  })
  .strict();
export type EdgeBridgeConfig = z.output<typeof EdgeBridgeConfig>;

/**
 * Takes `user:password@` out of the Edge's URL (fetch refuses a URL with credentials in it)
 * into `username` and `password`; a password given both ways must be given once.
 */
function credentialsFromUrl<E extends { url: string; username: string; password?: string | undefined }>(
  edge: E,
  ctx: z.RefinementCtx,
): E & { password: string } {
  const u = new URL(edge.url);
  const fromUrl = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  u.username = "";
  u.password = "";
  const url = u.toString().replace(/\/+$/, "");
  if (fromUrl.password && edge.password !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["password"],
      message: "is also in edge.url (user:password@): give the password once, in edge.password or in the URL",
    });
    return z.NEVER;
  }
  const password = fromUrl.password || edge.password;
  if (!password) {
    ctx.addIssue({
      code: "custom",
      path: ["password"],
      message: "is required (the Edge user's password), in edge.password or in edge.url as http://x:<password>@…",
    });
    return z.NEVER;
  }
  return { ...edge, url, username: fromUrl.username || edge.username, password };
}

export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): EdgeBridgeConfig {
  return parseYamlConfig(EdgeBridgeConfig, text, env);
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): EdgeBridgeConfig {
  return loadYamlConfig(EdgeBridgeConfig, file, env);
}

export { ConfigError };
