import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, describeProblems, fieldProblems } from "@openlem/protocol";
import { z } from "zod";
import { type BridgeConfig, BridgeConfig as BridgeConfigSchema } from "./config.js";

/**
 * The bridge as a Home Assistant add-on: the Supervisor writes the options the user set in the
 * add-on's Configuration tab to /data/options.json (flat keys, as `addon/config.yaml`'s schema
 * declares them), gives the add-on a token for Home Assistant (SUPERVISOR_TOKEN, with
 * `homeassistant_api: true`) and proxies Home Assistant's API at http://supervisor/core. This
 * turns those into the bridge's config; state lives in /data, which survives updates.
 */
const Text = z.string().trim().min(1);
export const AddonOptions = z.object({
  hub_url: Text,
  community: Text,
  household: Text,
  device_token: Text,
  /** The hub's broker and the household's Home Assistant token (olm_ha_…), for the household's entities. */
  mqtt_url: Text.optional(),
  mqtt_token: Text.optional(),
  meter_id: Text.optional(),
  meter_import: Text.optional(),
  meter_export: Text.optional(),
  boiler_switch: Text.optional(),
  boiler_temperature: Text.optional(),
  boiler_volume_l: z.number().optional(),
  boiler_heater_w: z.number().int().optional(),
  boiler_min_temp_c: z.number().optional(),
  boiler_target_temp_c: z.number().optional(),
  boiler_max_temp_c: z.number().optional(),
  battery_soc: Text.optional(),
  battery_setpoint: Text.optional(),
  battery_capacity_wh: z.number().int().optional(),
  battery_max_charge_w: z.number().int().optional(),
  battery_max_discharge_w: z.number().int().optional(),
  max_buy_price: z.number().optional(),
  min_sell_price: z.number().optional(),
});
export type AddonOptions = z.output<typeof AddonOptions>;

/** Where the add-on finds Home Assistant and keeps its state (the Supervisor's, unless told). */
export interface AddonEnvironment {
  /** Home Assistant through the Supervisor's proxy (default http://supervisor/core). */
  haUrl?: string;
  /** The add-on's token for it (SUPERVISOR_TOKEN). */
  supervisorToken: string | undefined;
  /** The add-on's data directory (default /data). */
  dataDir?: string;
}

/** The options' devices as the bridge's config sections: only what the user filled in. */
function sections(o: AddonOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.meter_id || o.meter_import)
    out.meter = { id: o.meter_id, import: o.meter_import, ...(o.meter_export ? { export: o.meter_export } : {}) };
  if (o.boiler_switch || o.boiler_temperature)
    out.boiler = {
      switch: o.boiler_switch,
      temperature: o.boiler_temperature,
      volumeL: o.boiler_volume_l ?? 200,
      heaterW: o.boiler_heater_w ?? 3000,
      ...(o.boiler_min_temp_c !== undefined ? { minTempC: o.boiler_min_temp_c } : {}),
      ...(o.boiler_target_temp_c !== undefined ? { targetTempC: o.boiler_target_temp_c } : {}),
      ...(o.boiler_max_temp_c !== undefined ? { maxTempC: o.boiler_max_temp_c } : {}),
    };
  if (o.battery_soc || o.battery_setpoint)
    out.battery = {
      soc: o.battery_soc,
      setpoint: o.battery_setpoint,
      capacityWh: o.battery_capacity_wh,
      maxChargeW: o.battery_max_charge_w,
      maxDischargeW: o.battery_max_discharge_w,
    };
  return out;
}

/** The bridge's config from the add-on's options; an error names the option and the rule. */
export function configFromAddon(options: unknown, env: AddonEnvironment): BridgeConfig {
  if (!env.supervisorToken)
    throw new ConfigError(
      "SUPERVISOR_TOKEN is not set: run this as a Home Assistant add-on (homeassistant_api: true), or use --config",
    );
  const o = AddonOptions.safeParse(options);
  if (!o.success) throw new ConfigError(`add-on options: ${describeProblems(fieldProblems(o.error))}`);
  const opts = o.data;
  const raw = {
    homeAssistant: { url: env.haUrl ?? "http://supervisor/core", token: env.supervisorToken },
    hub: { url: opts.hub_url, community: opts.community, household: opts.household, deviceToken: opts.device_token },
    ...(opts.mqtt_url
      ? {
          mqtt: {
            url: opts.mqtt_url,
            username: opts.household,
            ...(opts.mqtt_token ? { password: opts.mqtt_token } : {}),
          },
        }
      : {}),
    ...sections(opts),
    limits: {
      ...(opts.max_buy_price !== undefined ? { maxBuyPrice: opts.max_buy_price } : {}),
      ...(opts.min_sell_price !== undefined ? { minSellPrice: opts.min_sell_price } : {}),
    },
    stateDir: join(env.dataDir ?? "/data", "openlem-state"),
  };
  const c = BridgeConfigSchema.safeParse(raw);
  if (!c.success) throw new ConfigError(`add-on options: ${describeProblems(fieldProblems(c.error))}`);
  return c.data;
}

/** Reads the Supervisor's options file. */
export function loadAddonConfig(file: string, env: AddonEnvironment): BridgeConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`cannot read the add-on's options at ${file}`);
  }
  let options: unknown;
  try {
    options = JSON.parse(text);
  } catch {
    throw new ConfigError(`the add-on's options at ${file} are not JSON`);
  }
  return configFromAddon(options, env);
}
