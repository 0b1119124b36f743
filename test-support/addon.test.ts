import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { AddonOptions, configFromAddon } from "../integrations/home-assistant/src/addon.js";

const ROOT = join(import.meta.dirname, "..");
const ADDON = join(ROOT, "integrations", "home-assistant", "addon");
const read = (...p: string[]) => readFileSync(join(...p), "utf8");

/**
 * The Supervisor's rules for an add-on repository, as home-assistant/supervisor states them
 * (commit 80f790bf5, the last before it needs Python 3.14): supervisor/addons/validate.py
 * (SCHEMA_ADDON_CONFIG, SCHEMA_BUILD_CONFIG), supervisor/addons/options.py (RE_SCHEMA_ELEMENT),
 * supervisor/store/validate.py (SCHEMA_REPOSITORY_CONFIG), supervisor/const.py (ARCH_ALL_COMPAT),
 * and supervisor/store/data.py, which finds add-ons by a config.json, .yaml or .yml at any depth
 * outside hidden folders, and reads repository.json, .yaml or .yml at the root. The files pass the Supervisor's own
 * validators too (run by hand: the Supervisor is not on a registry CI reaches); these are the
 * rules restated, so a change that breaks one fails here.
 */
const SCHEMA_ELEMENT =
  /^(?:|bool|email|url|port|device(?:\((?:subsystem=[a-z]+)\))?|str(?:\((\d+)?,(\d+)?\))?|password(?:\((\d+)?,(\d+)?\))?|int(?:\((-?\d+)?,(-?\d+)?\))?|float(?:\((-?\d*\.?\d+)?,(-?\d*\.?\d+)?\))?|match\((.*)\)|list\((.+)\))\??$/;
const AddonConfig = z.object({
  name: z.string(),
  version: z.string().min(1),
  slug: z.string().regex(/^[-_.A-Za-z0-9]+$/),
  description: z.string(),
  arch: z.array(z.enum(["aarch64", "amd64", "armhf", "armv7", "i386"])).min(1),
  url: z.url().optional(),
  startup: z.enum(["initialize", "system", "services", "application", "once"]).optional(),
  boot: z.enum(["auto", "manual", "manual_only"]).optional(),
  init: z.boolean().optional(),
  homeassistant_api: z.boolean().optional(),
  timeout: z.number().int().min(10).max(300).optional(),
  options: z.record(z.string(), z.unknown()),
  schema: z.record(z.string(), z.string().regex(SCHEMA_ELEMENT, "is not one of the Supervisor's option types")),
});
const Repository = z.object({ name: z.string(), url: z.url().optional(), maintainer: z.string().optional() });
const Build = z.object({
  build_from: z.partialRecord(z.enum(["aarch64", "amd64", "armhf", "armv7", "i386"]), z.string()),
});

describe("the OpenLEM bridge as a Home Assistant add-on", () => {
  const config = AddonConfig.parse(parse(read(ADDON, "config.yaml")));

  it("is an add-on repository the Supervisor reads: repository.yaml at the root, the add-on's config and build files in its rules", () => {
    expect(Repository.safeParse(parse(read(ROOT, "repository.yaml"))).success).toBe(true);
    const build = Build.parse(parse(read(ADDON, "build.yaml")));
    expect(Object.keys(build.build_from).sort()).toEqual([...config.arch].sort());
    for (const image of Object.values(build.build_from)) expect(image).toMatch(/^ghcr\.io\/home-assistant\/\w+-base:/);
    // the add-on's version is the package it installs
    const pkg = JSON.parse(read(ROOT, "integrations", "home-assistant", "package.json")) as { version: string };
    expect(config.version).toBe(pkg.version);
  });

  it("its options schema is the bridge's: the same options, required where the bridge needs them, each translated", () => {
    const shape = AddonOptions.shape;
    expect(Object.keys(config.schema).sort()).toEqual(Object.keys(shape).sort());
    for (const [key, type] of Object.entries(config.schema))
      expect(type.endsWith("?"), `${key}: optional in config.yaml as in AddonOptions`).toBe(
        shape[key as keyof typeof shape].isOptional(),
      );
    const translations = parse(read(ADDON, "translations", "en.yaml")) as {
      configuration: Record<string, { name: string }>;
    };
    expect(Object.keys(translations.configuration).sort()).toEqual(Object.keys(shape).sort());
    // the defaults the Configuration tab starts with are options the bridge takes (the empty
    // ones are there for the user to fill in, and refused while they are empty: see below)
    const filled = Object.fromEntries(Object.entries(config.options).filter(([, v]) => v !== ""));
    expect(AddonOptions.partial().safeParse(filled).success).toBe(true);
  });

  it("talks to Home Assistant through the Supervisor with its own token, and has time to hand the devices back on stop", () => {
    expect(config.homeassistant_api).toBe(true);
    // s6-overlay in the base images is the container's init; the Supervisor waits `timeout`
    // seconds after SIGTERM, s6 waits S6_KILL_GRACETIME ms for the run script's process
    expect(config.init).toBe(false);
    const dockerfile = read(ADDON, "Dockerfile");
    const grace = Number(/^ENV S6_KILL_GRACETIME=(\d+)$/m.exec(dockerfile)?.[1]);
    expect(grace).toBeGreaterThanOrEqual(15_000);
    expect((config.timeout ?? 10) * 1000).toBeGreaterThan(grace);
    expect(dockerfile).toMatch(/^CMD \["\/run\.sh"\]$/m);
    // the run script becomes the bridge (exec), so the signal reaches it
    expect(read(ADDON, "run.sh")).toMatch(/^exec openlem-ha-bridge --addon "\$data\/options\.json"$/m);
  });

  it("turns the Supervisor's options into the bridge's config, or names the option that is wrong", () => {
    const env = { supervisorToken: "supervisor-token", dataDir: "/data" };
    const c = configFromAddon(
      {
        hub_url: "http://openlem-hub.local:8787",
        community: "demo",
        household: "house-1",
        device_token: "olm_dev_x",
        mqtt_url: "mqtt://openlem-hub.local:1884",
        mqtt_token: "olm_ha_x",
        boiler_switch: "switch.boiler",
        boiler_temperature: "sensor.boiler_temperature",
        boiler_volume_l: 200,
        boiler_heater_w: 3000,
      },
      env,
    );
    expect(c).toMatchObject({
      homeAssistant: { url: "http://supervisor/core", token: "supervisor-token" },
      hub: { url: "http://openlem-hub.local:8787", community: "demo", household: "house-1", deviceToken: "olm_dev_x" },
      mqtt: { url: "mqtt://openlem-hub.local:1884", username: "house-1", password: "olm_ha_x" },
      boiler: { switch: "switch.boiler", volumeL: 200, heaterW: 3000 },
      stateDir: "/data/openlem-state",
    });
    expect(() => configFromAddon({ ...config.options }, env)).toThrow(/add-on options: hub_url/);
    expect(() => configFromAddon({ hub_url: "x" }, { supervisorToken: undefined })).toThrow(/SUPERVISOR_TOKEN/);
  });
});
