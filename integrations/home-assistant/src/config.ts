import { BatterySpec, BoilerDevice, loadYamlConfig, PriceLimits, parseYamlConfig } from "@openlem/agents";
import { ConfigError, HubConnectionConfig, LocalClock } from "@openlem/protocol";
import { z } from "zod";

const EntityId = (domains: string[]) =>
  z
    .string()
    .regex(/^[a-z_]+\.[a-z0-9_]+$/, "must be an entity id such as sensor.energy_import")
    .refine((id) => domains.includes(id.split(".")[0] ?? ""), {
      message: `must be a ${domains.join(" or ")} entity`,
    });

/** A secret in the file, or the name of an environment variable that holds it (`${NAME}`). */
const Secret = z.string().min(1, "is required");

export const BridgeConfig = z
  .object({
    homeAssistant: z
      .object({
        url: z.url({ protocol: /^https?$/, message: "must be Home Assistant's http(s) URL" }),
        /** A long-lived access token (Profile > Security in Home Assistant). */
        token: Secret,
      })
      .strict(),
    hub: HubConnectionConfig.strict(),
    /** Home Assistant's MQTT broker, where the bridge announces the household's entities. */
    mqtt: z
      .object({ url: z.url(), username: z.string().optional(), password: z.string().optional() })
      .strict()
      .optional(),
    meter: z
      .object({
        id: z.string().min(1),
        import: EntityId(["sensor"]),
        export: EntityId(["sensor"]).optional(),
      })
      .strict()
      .optional(),
    boiler: BoilerDevice.safeExtend({
      switch: EntityId(["switch", "input_boolean"]),
      temperature: EntityId(["sensor", "water_heater"]),
      /**
       * The element's switch when the bridge stops: "on" (default) gives the water back to
       * the boiler's own thermostat; "off" or "leave" (as it was) for set-ups that need it.
       */
      onExit: z.enum(["on", "off", "leave"]).default("on"),
    }).optional(),
    battery: BatterySpec.safeExtend({
      soc: EntityId(["sensor"]),
      /** Power set-point in W, + discharge (OpenEMS convention); `invert: true` for + charge. */
      setpoint: EntityId(["number", "input_number"]),
      invert: z.boolean().default(false),
      /** The set-point when the bridge stops (W, + discharge): 0, idle, by default; or "leave". */
      onExit: z.union([z.number().int(), z.literal("leave")]).default(0),
    }).optional(),
    ev: z
      .object({
        maxPowerW: z.number().int().positive(),
        charger: EntityId(["switch", "number", "input_number"]),
        plugged: EntityId(["binary_sensor", "sensor", "input_boolean"]),
        needKwh: z.number().min(0).default(20),
        departure: LocalClock.default("07:00"),
        /** The charger when the bridge stops: "on" (default, charging as it would without OpenLEM), "off" or "leave". */
        onExit: z.enum(["on", "off", "leave"]).default("on"),
      })
      .strict()
      .optional(),
    limits: PriceLimits.default({}),
    /** Where the agent's plan is kept between restarts. */
    stateDir: z.string().default("./openlem-state"),
  })
  .strict()
  .refine((c) => c.meter || c.boiler || c.battery || c.ev, {
    message: "nothing to bridge: configure a meter, boiler, battery or ev",
    path: ["meter"],
  });
export type BridgeConfig = z.output<typeof BridgeConfig>;

export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  return parseYamlConfig(BridgeConfig, text, env);
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  return loadYamlConfig(BridgeConfig, file, env);
}

/** The units the bridge understands for an entity, and what the entity must measure. */
export interface ExpectedUnit {
  units: readonly string[];
  what: string;
  /** A helper without a unit (an input_number set-point) is taken as the first unit. */
  optional?: boolean;
}

export const ENERGY_UNITS: ExpectedUnit = { units: ["kWh", "Wh", "MWh"], what: "an energy total" };
export const TEMPERATURE_UNITS: ExpectedUnit = { units: ["°C", "°F"], what: "a temperature" };
export const PERCENT: ExpectedUnit = { units: ["%"], what: "a state of charge" };
export const POWER_UNITS: ExpectedUnit = { units: ["W", "kW"], what: "a power set-point", optional: true };

/** Every entity the config names, with what the bridge needs of it. */
export function configuredEntities(
  c: BridgeConfig,
): { path: string; entity: string; numeric: boolean; unit?: ExpectedUnit }[] {
  const out: { path: string; entity: string; numeric: boolean; unit?: ExpectedUnit }[] = [];
  if (c.meter) {
    out.push({ path: "meter.import", entity: c.meter.import, numeric: true, unit: ENERGY_UNITS });
    if (c.meter.export) out.push({ path: "meter.export", entity: c.meter.export, numeric: true, unit: ENERGY_UNITS });
  }
  if (c.boiler) {
    out.push({ path: "boiler.switch", entity: c.boiler.switch, numeric: false });
    const heater = c.boiler.temperature.startsWith("water_heater.");
    out.push({
      path: "boiler.temperature",
      entity: c.boiler.temperature,
      numeric: !heater,
      ...(heater ? {} : { unit: TEMPERATURE_UNITS }),
    });
  }
  if (c.battery) {
    out.push({ path: "battery.soc", entity: c.battery.soc, numeric: true, unit: PERCENT });
    out.push({ path: "battery.setpoint", entity: c.battery.setpoint, numeric: true, unit: POWER_UNITS });
  }
  if (c.ev) {
    out.push({ path: "ev.charger", entity: c.ev.charger, numeric: !c.ev.charger.startsWith("switch.") });
    out.push({ path: "ev.plugged", entity: c.ev.plugged, numeric: false });
  }
  return out;
}

export { ConfigError };
