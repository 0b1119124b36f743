import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { householdEntities, topics } from "@openlem/protocol";
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { killAll, processesWith, REPO_ROOT, sourceBin, startBridge } from "../../../test-support/bridge-process.js";
import { clear, freePort, hubOn, memberToken, revokeToken, seed } from "../../../test-support/hub-fixture.js";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { type BridgeEvent, ConfigError, HaBridge, HaError, parseConfig } from "../src/index.js";
import { HomeAssistantStandIn } from "./ha-stand-in.js";

const HA_TOKEN = "long-lived-token";
const CLI = join(import.meta.dirname, "../src/cli.ts");
let now = Date.parse("2026-06-21T09:02:00Z");

function house(ha: HomeAssistantStandIn): void {
  ha.set("sensor.energy_import", "1000.5", { unit_of_measurement: "kWh" });
  ha.set("sensor.energy_export", "20.1", { unit_of_measurement: "kWh" });
  ha.set("switch.boiler", "off");
  ha.set("sensor.boiler_temperature", "44", { unit_of_measurement: "°C" });
  ha.set("sensor.battery_soc", "50", { unit_of_measurement: "%" });
  ha.set("number.battery_setpoint", "0", { min: -5000, max: 5000 });
}

/**
 * The example config with the test's addresses; its broker only where the test gives one (the
 * tests of the entities on a broker do, the others need none).
 */
function exampleConfig(
  ha: HomeAssistantStandIn,
  hubUrl: string,
  token: string,
  stateDir: string,
  mqtt?: { url: string; haToken: string },
) {
  const text = readFileSync(join(import.meta.dirname, "../../../examples/home-assistant/bridge.yaml"), "utf8");
  const config = parseConfig(text, {
    HA_URL: ha.url,
    HA_TOKEN,
    OPENLEM_HUB_URL: hubUrl,
    OPENLEM_COMMUNITY: "c",
    OPENLEM_HOUSEHOLD: "h",
    OPENLEM_DEVICE_TOKEN: token,
    OPENLEM_STATE_DIR: stateDir,
    OPENLEM_METER_ID: "m-h",
    OPENLEM_MQTT_URL: mqtt?.url ?? "mqtt://127.0.0.1:9",
    OPENLEM_HA_TOKEN: mqtt?.haToken ?? "olm_ha_unused",
  });
  return mqtt ? config : { ...config, mqtt: undefined };
}

/** The command the compose file's container runs: the image's exec-form ENTRYPOINT and CMD. */
function composeCommand(): string[] {
  const compose = parse(readFileSync(join(REPO_ROOT, "examples/home-assistant/docker-compose.yml"), "utf8")) as {
    services: Record<string, { build: { context: string }; stop_grace_period: string }>;
  };
  const service = Object.values(compose.services)[0];
  // docker stop waits this long before SIGKILL: time for the hand-back
  expect(Number.parseInt(service?.stop_grace_period ?? "10", 10)).toBeGreaterThanOrEqual(15);
  const dockerfile = readFileSync(
    join(REPO_ROOT, "examples/home-assistant", service?.build.context ?? "", "Dockerfile"),
    "utf8",
  );
  const form = (key: string) =>
    JSON.parse(new RegExp(`^${key} (\\[.*\\])$`, "m").exec(dockerfile)?.[1] ?? "null") as string[];
  // exec form: the bridge is the container's process, no shell in between to swallow the signal
  return [...form("ENTRYPOINT"), ...form("CMD")];
}

/** The command the systemd unit runs (its ExecStart), after checking how it stops. */
function systemdCommand(): string[] {
  const unit = readFileSync(join(REPO_ROOT, "examples/home-assistant/openlem-ha-bridge.service"), "utf8");
  const key = (k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(unit)?.[1]?.trim();
  expect(key("KillSignal") ?? "SIGTERM").toBe("SIGTERM");
  expect(["control-group", "mixed", "process", undefined]).toContain(key("KillMode"));
  expect(Number(key("TimeoutStopSec") ?? "90")).toBeGreaterThanOrEqual(15);
  const exec = key("ExecStart") ?? "";
  expect(exec).not.toMatch(/\b(npm|npx|sh|bash)\b/);
  return exec.split(/\s+/);
}

describe("the Home Assistant bridge against a Home Assistant stand-in and a real hub", () => {
  let hub: RunningHub;
  let ha: HomeAssistantStandIn;
  let token = "";
  const rest = () => new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken: token } });

  beforeAll(async () => {
    hub = await hubOn({ now: () => new Date(now) });
    ({ deviceToken: token } = await seed(hub.url));
    ha = new HomeAssistantStandIn(HA_TOKEN);
    await ha.start();
    house(ha);
  });
  afterAll(async () => {
    await ha.stop();
    await hub.close();
  });

  it("refuses a wrong token and entities Home Assistant does not have, naming them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openlem-ha-"));
    const config = exampleConfig(ha, hub.url, token, dir);
    await expect(HaBridge.start({ ...config, homeAssistant: { url: ha.url, token: "wrong" } })).rejects.toThrow(
      HaError,
    );
    await expect(HaBridge.start({ ...config, homeAssistant: { url: ha.url, token: "wrong" } })).rejects.toThrow(
      /access token/,
    );
    const missing = {
      ...config,
      battery: { ...(config.battery as NonNullable<typeof config.battery>), soc: "sensor.nope" },
    };
    await expect(HaBridge.start(missing)).rejects.toThrow(ConfigError);
    await expect(HaBridge.start(missing)).rejects.toThrow("battery.soc: sensor.nope does not exist in Home Assistant");
    // a temperature sensor mapped as the meter is refused with its unit and what it must be
    const wrongUnit = { ...config, meter: { id: "m-h", import: "sensor.boiler_temperature" } };
    await expect(HaBridge.start(wrongUnit)).rejects.toThrow(
      "meter.import: sensor.boiler_temperature is in °C; it must be an energy total in kWh, Wh, MWh",
    );
    expect(() => parseConfig("homeAssistant: { url: x }")).toThrow(/homeAssistant.url/);
  });

  it("bids, applies the cleared schedule through Home Assistant, reports the meter, and survives a Home Assistant restart", async () => {
    const events: BridgeEvent[] = [];
    const bridge = await HaBridge.start(exampleConfig(ha, hub.url, token, mkdtempSync(join(tmpdir(), "openlem-ha-"))), {
      tickMs: 100,
      onEvent: (e) => events.push(e),
    });
    try {
      // 09:02: no plan yet for the slot under way: the local default heats the cold tank
      await expect
        .poll(() => ha.calls.some((c) => c.entity_id === "switch.boiler" && c.service === "turn_on"))
        .toBe(true);
      await expect.poll(() => events.some((e) => e.type === "submitted")).toBe(true);
      const orders = await rest().orders();
      expect(orders.map((o) => o.order.slot)).toContain("2026-06-21T09:15:00.000Z");

      // the slot clears; at 09:15 the bridge follows the plan and reports the meter
      now = Date.parse("2026-06-21T09:11:00Z");
      await clear(hub.url, "2026-06-21T09:15:00.000Z");
      ha.set("sensor.energy_import", "1001.25");
      now = Date.parse("2026-06-21T09:15:20Z");
      await expect
        .poll(() =>
          events.some((e) => e.type === "applied" && e.decision.startMs === Date.parse("2026-06-21T09:15:00Z")),
        )
        .toBe(true);
      const applied = events.findLast((e) => e.type === "applied");
      expect(applied?.type === "applied" && applied.decision.mode).toBe("plan");
      expect(ha.calls.some((c) => c.entity_id === "number.battery_setpoint" && c.service === "set_value")).toBe(true);
      // readings carry the times the registers were read: the bridge started at 09:02, so the
      // slot of 09:00 is not metered by it (nothing is stamped 09:00 with later values)
      await expect
        .poll(() => events.some((e) => e.type === "reading" && e.reading.at === "2026-06-21T09:15:20.000Z"))
        .toBe(true);
      const sent = events.flatMap((e) => (e.type === "reading" ? [e.reading] : []));
      expect(sent.map((r) => r.at)).not.toContain("2026-06-21T09:00:00.000Z");
      for (const r of sent)
        expect(["2026-06-21T09:02:00.000Z", "2026-06-21T09:11:00.000Z", "2026-06-21T09:15:20.000Z"]).toContain(r.at);
      expect(sent.at(-1)).toMatchObject({ at: "2026-06-21T09:15:20.000Z", importWh: 1_001_250 });
      expect(await rest().energy({ from: "2026-06-21T09:00:00Z", to: "2026-06-21T09:15:00Z" })).toEqual([]);

      // Home Assistant restarts (and forgets the set-point): the bridge hears it go and come
      // back, and applies the decision in force again at once, not at the next slot
      const setpoints = () => ha.calls.filter((c) => c.entity_id === "number.battery_setpoint").length;
      const beforeRestart = setpoints();
      ha.dropConnections();
      await expect.poll(() => events.some((e) => e.type === "home-assistant" && !e.connected)).toBe(true);
      await expect
        .poll(() => events.some((e) => e.type === "home-assistant" && e.connected), { timeout: 15_000 })
        .toBe(true);
      await expect.poll(setpoints).toBeGreaterThan(beforeRestart);
      const before = ha.calls.length;
      now = Date.parse("2026-06-21T09:30:20Z");
      await expect.poll(() => ha.calls.length, { timeout: 10_000 }).toBeGreaterThan(before);
    } finally {
      await bridge.stop();
    }
  });

  it("falls back to the devices' local behaviour when the hub is unreachable", async () => {
    // a hub of its own, which then goes away
    const gone = await hubOn({ now: () => new Date(now) });
    const { deviceToken } = await seed(gone.url);
    const config = exampleConfig(ha, gone.url, deviceToken, mkdtempSync(join(tmpdir(), "openlem-ha-")));
    const events: BridgeEvent[] = [];
    const bridge = await HaBridge.start(config, { tickMs: 100, onEvent: (e) => events.push(e) });
    try {
      await expect.poll(() => events.some((e) => e.type === "submitted")).toBe(true);
      await gone.close();
      ha.set("sensor.boiler_temperature", "43");
      now += 15 * 60_000;
      await expect.poll(() => events.some((e) => e.type === "hub" && !e.reachable), { timeout: 30_000 }).toBe(true);
      // the next slot runs on the local default: the thermostat heats the cold tank
      await expect
        .poll(() => events.some((e) => e.type === "applied" && e.decision.mode === "fallback" && e.decision.boilerOn), {
          timeout: 30_000,
        })
        .toBe(true);
    } finally {
      await bridge.stop();
    }
  }, 90_000);
});

describe("the Home Assistant bridge when things go wrong", () => {
  // a hub of its own for each test, so that each has its household's first device token
  let hub: RunningHub;
  let ha: HomeAssistantStandIn;
  beforeAll(async () => {
    ha = new HomeAssistantStandIn(HA_TOKEN);
    await ha.start();
    house(ha);
  });
  beforeEach(async () => {
    hub = await hubOn({ now: () => new Date(now) });
  });
  afterEach(async () => {
    await hub.close();
  });
  afterAll(async () => {
    await ha.stop();
  });
  const callsAfter = (k: number, entity: string) => ha.calls.slice(k).filter((c) => c.entity_id === entity);

  it("switches the boiler off the moment the tank passes its maximum, mid-slot, and the battery stops feeding it", async () => {
    const community = "hf1";
    const { deviceToken } = await seed(hub.url, community);
    now = Date.parse("2026-06-23T09:00:00Z");
    house(ha);
    ha.set("sensor.boiler_temperature", "44");
    ha.set("sensor.battery_soc", "60");
    const config = {
      ...exampleConfig(ha, hub.url, deviceToken, mkdtempSync(join(tmpdir(), "openlem-ha-"))),
      hub: { url: hub.url, community, household: "h", deviceToken },
      meter: undefined,
    };
    const events: BridgeEvent[] = [];
    // a slow tick: the reaction below comes from Home Assistant's state change, not the timer
    const bridge = await HaBridge.start(config, { tickMs: 60_000, onEvent: (e) => events.push(e) });
    try {
      await expect.poll(() => ha.state("switch.boiler")).toBe("on");
      // no forecast of the house's own load here: the battery discharges for the boiler alone
      const discharge = Number(ha.state("number.battery_setpoint"));
      expect(discharge).toBe(3_000);
      const k = ha.calls.length;
      now = Date.parse("2026-06-23T09:05:00Z");
      ha.set("sensor.boiler_temperature", "70");
      await expect.poll(() => callsAfter(k, "switch.boiler").map((c) => c.service)).toEqual(["turn_off"]);
      await expect.poll(() => Number(ha.state("number.battery_setpoint"))).toBe(0);
      const applied = events.findLast((e) => e.type === "applied");
      expect(applied?.type === "applied" && applied.decision.startMs).toBe(Date.parse("2026-06-23T09:00:00Z"));
    } finally {
      await bridge.stop();
    }
    // stopped: the boiler back to its own thermostat (element on), the battery idle
    expect(ha.state("switch.boiler")).toBe("on");
    expect(ha.state("number.battery_setpoint")).toBe("0");
  });

  it("a revoked device token puts the devices under local control: the cold tank heats, and the status says why", async () => {
    const community = "hf2";
    const { deviceToken, deviceTokenId } = await seed(hub.url, community);
    now = Date.parse("2026-06-23T10:02:00Z");
    house(ha);
    ha.set("sensor.boiler_temperature", "50");
    const config = {
      ...exampleConfig(ha, hub.url, deviceToken, mkdtempSync(join(tmpdir(), "openlem-ha-"))),
      hub: { url: hub.url, community, household: "h", deviceToken },
      meter: undefined,
    };
    const events: BridgeEvent[] = [];
    // the bridge's own clock is the test's too: without the hub's clock, the devices follow it
    const bridge = await HaBridge.start(config, { tickMs: 100, now: () => now, onEvent: (e) => events.push(e) });
    try {
      await expect.poll(() => events.some((e) => e.type === "submitted")).toBe(true);
      await revokeToken(hub.url, deviceTokenId);
      ha.set("switch.boiler", "off");
      ha.set("sensor.boiler_temperature", "40");
      const k = ha.calls.length;
      now = Date.parse("2026-06-23T10:15:10Z");
      await expect.poll(() => callsAfter(k, "switch.boiler").map((c) => c.service)).toContain("turn_on");
      await expect
        .poll(() =>
          events.some((e) => e.type === "hub" && !e.reachable && /refused the device token/.test(e.reason ?? "")),
        )
        .toBe(true);
      // the orders for 10:15 were taken before the revocation; the slot after has none: local control
      now = Date.parse("2026-06-23T10:30:10Z");
      await expect
        .poll(() =>
          events.some((e) => e.type === "applied" && e.decision.startMs === Date.parse("2026-06-23T10:30:00Z")),
        )
        .toBe(true);
      const d = events.findLast((e) => e.type === "applied");
      expect(d?.type === "applied" && d.decision).toMatchObject({ mode: "fallback", boilerOn: true });
      expect(d?.type === "applied" && d.decision.why[0]).toMatch(/^local control: the hub refused the device token/);
    } finally {
      await bridge.stop();
    }
  });

  it("starts under local control when the hub is away at start, and heats the cold tank", async () => {
    house(ha);
    ha.set("switch.boiler", "off");
    ha.set("sensor.boiler_temperature", "42");
    const closed = `http://127.0.0.1:${await freePort()}`;
    const config = {
      ...exampleConfig(ha, closed, "olm_dev_unused", mkdtempSync(join(tmpdir(), "openlem-ha-"))),
      meter: undefined,
    };
    const events: BridgeEvent[] = [];
    const bridge = await HaBridge.start(config, { tickMs: 100, onEvent: (e) => events.push(e) });
    try {
      await expect.poll(() => ha.state("switch.boiler"), { timeout: 20_000 }).toBe("on");
      // the switch turns on before the loop says it applied the decision: wait for that too
      await expect
        .poll(() => {
          const d = events.findLast((e) => e.type === "applied");
          return d?.type === "applied" && d.decision;
        })
        .toMatchObject({ mode: "fallback", boilerOn: true });
      expect(events.some((e) => e.type === "hub" && !e.reachable && /hub unreachable/.test(e.reason ?? ""))).toBe(true);
    } finally {
      await bridge.stop();
    }
  }, 60_000);

  it("keeps the price limits in one place, the hub's preference: read at start, written from the bid card, followed when the page changes them", async () => {
    const community = "hl";
    const { deviceToken, haToken } = await seed(hub.url, community);
    const member = await memberToken(hub.url);
    const prefs = `${hub.url}/api/communities/${community}/households/h/preferences`;
    const setOnHub = (maxBuyPrice: number, minSellPrice: number) =>
      fetch(prefs, {
        method: "PUT",
        headers: { authorization: `Bearer ${member}`, "content-type": "application/json" },
        body: JSON.stringify({ maxBuyPrice, minSellPrice }),
      });
    const onHub = async () =>
      (
        (await (await fetch(prefs, { headers: { authorization: `Bearer ${member}` } })).json()) as {
          maxBuyPrice: number;
          minSellPrice: number;
        }[]
      )[0];
    // the household's page set them before the bridge ever ran (the example config says 0.2 / 0.1)
    expect((await setOnHub(0.19, 0.11)).status).toBe(200);
    const config = {
      ...exampleConfig(ha, hub.url, deviceToken, mkdtempSync(join(tmpdir(), "openlem-ha-")), {
        url: hub.mqttUrl,
        haToken,
      }),
      hub: { url: hub.url, community, household: "h", deviceToken },
      meter: undefined,
    };
    const watcher = await mqtt.connectAsync(hub.mqttUrl, { username: "h", password: haToken });
    const state = () => JSON.parse(got.get(topics.bridgeState(community, "h")) ?? "{}") as Record<string, number>;
    const got = new Map<string, string>();
    watcher.on("message", (t, m) => got.set(t, m.toString()));
    await watcher.subscribeAsync(topics.bridgeState(community, "h"), { qos: 1 });
    const bridge = await HaBridge.start(config, { tickMs: 100, limitsEveryMs: 100, now: () => now });
    try {
      await expect.poll(() => state()).toMatchObject({ maxBuyPrice: 0.19, minSellPrice: 0.11 });
      // the bid card's slider: Home Assistant writes the number, and the hub keeps it
      await watcher.publishAsync(topics.bridgeSet(community, "h", "max_buy_price"), "0.17", { qos: 1 });
      await expect.poll(() => state().maxBuyPrice).toBe(0.17);
      await expect.poll(async () => (await onHub())?.maxBuyPrice).toBe(0.17);
      // and the household's page changes them: the bridge, and so Home Assistant, follow
      expect((await setOnHub(0.15, 0.12)).status).toBe(200);
      await expect.poll(() => state()).toMatchObject({ maxBuyPrice: 0.15, minSellPrice: 0.12 });
    } finally {
      await bridge.stop();
      await watcher.endAsync();
    }
  });

  it("README step 4 is what the tests run: its exports are exactly what the example config reads, its command the one run below", () => {
    const readme = readFileSync(join(REPO_ROOT, "integrations/home-assistant/README.md"), "utf8");
    const step = /4\. \*\*The bridge\.\*\*[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const exported = [...step.matchAll(/\b([A-Z][A-Z0-9_]+)=/g)].map((m) => m[1]).sort();
    // the variables the config's values read (its comments aside)
    const example = readFileSync(join(REPO_ROOT, "examples/home-assistant/bridge.yaml"), "utf8").replace(/#.*$/gm, "");
    const read = [...new Set([...example.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]))].sort();
    expect(exported).toEqual(read);
    expect(step).toContain("cp examples/home-assistant/bridge.yaml bridge.yaml");
    expect(step).toMatch(/^npm run ha-bridge -- --config bridge\.yaml$/m);
    expect(step).toContain("npm ci");
    // and env.example, which compose and systemd read, names the same
    const env = readFileSync(join(REPO_ROOT, "examples/home-assistant/env.example"), "utf8");
    expect([...env.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort()).toEqual(read);
  });

  // every way the README has users run the bridge, stopped the way their tools stop it
  it.each([
    ["npm run ha-bridge, SIGTERM to npm (docker stop, pm2, systemd KillMode=process, kill <pid>)", "npm", "SIGTERM"],
    ["npm run ha-bridge, Ctrl-C in its terminal (SIGINT to the whole group)", "npm", "ctrl-c"],
    ["node on the CLI (the built bin), SIGTERM to node", "node", "SIGTERM"],
    ["docker compose: the image's ENTRYPOINT and CMD, docker stop's SIGTERM", "compose", "SIGTERM"],
    ["systemd: the unit's ExecStart, systemctl stop's SIGTERM", "systemd", "SIGTERM"],
  ] as const)(
    "%s: the devices are handed back once, and nothing is left running",
    async (_, how, stop) => {
      const community = `hf3${how}${stop.length}`;
      const { deviceToken, haToken } = await seed(hub.url, community);
      now = Date.parse("2026-06-23T11:02:00Z");
      house(ha);
      ha.set("sensor.boiler_temperature", "58");
      ha.set("switch.boiler", "off");
      ha.set("sensor.battery_soc", "80");
      const dir = mkdtempSync(join(tmpdir(), "openlem-ha-cli-"));
      // README step 4: a copy of the example, then the command on the copy
      const file = join(dir, "bridge.yaml");
      writeFileSync(file, readFileSync(join(REPO_ROOT, "examples/home-assistant/bridge.yaml"), "utf8"));
      const env = {
        HA_URL: ha.url,
        HA_TOKEN,
        OPENLEM_HUB_URL: hub.url,
        OPENLEM_COMMUNITY: community,
        OPENLEM_HOUSEHOLD: "h",
        OPENLEM_DEVICE_TOKEN: deviceToken,
        OPENLEM_STATE_DIR: dir,
        OPENLEM_METER_ID: `${community}-m-h`,
        OPENLEM_MQTT_URL: hub.mqttUrl,
        OPENLEM_HA_TOKEN: haToken,
      };
      const b =
        how === "npm"
          ? startBridge("npm", ["run", "ha-bridge", "--", "--config", file], env)
          : how === "node"
            ? startBridge(
                process.execPath,
                ["--import", "tsx", "--conditions=@openlem/source", CLI, "--config", file],
                env,
              )
            : (() => {
                // exactly the command the compose file's image or the systemd unit runs, the
                // installed bin standing on the PATH and the config at the test's path
                const [bin, ...args] = how === "compose" ? composeCommand() : systemdCommand();
                const shim = sourceBin(
                  dir,
                  String(bin).split("/").at(-1) ?? "",
                  "integrations/home-assistant/src/cli.ts",
                );
                return startBridge(
                  shim,
                  args.map((a) => (a.endsWith("bridge.yaml") ? file : a)),
                  env,
                );
              })();
      try {
        // the warm tank is left off by the local default, the battery discharges for the house
        await expect
          .poll(() => b.output(), { timeout: 30_000 })
          .toMatch(/(bid to buy|offered) \d+ Wh for|nothing to bid for/);
        const k = ha.calls.length;
        if (stop === "ctrl-c") process.kill(-b.pid, "SIGINT");
        else process.kill(b.pid, "SIGTERM");
        expect(await b.exited).toEqual({ code: 0, signal: null });
        expect(b.output()).toMatch(/devices handed back/);
        expect(callsAfter(k, "switch.boiler").map((c) => c.service)).toEqual(["turn_on"]);
        expect(callsAfter(k, "number.battery_setpoint").map((c) => c.data.value)).toEqual([0]);
        // no bridge orphaned behind npm's shell
        expect(processesWith(file)).toEqual([]);
        // and Home Assistant sees the bridge offline (retained), not its last values as live
        const watcher = await mqtt.connectAsync(hub.mqttUrl, { username: "h", password: haToken });
        try {
          const avail = topics.bridgeAvailability(community, "h");
          const seen: string[] = [];
          watcher.on("message", (t, p) => t === avail && seen.push(p.toString()));
          await watcher.subscribeAsync(avail, { qos: 1 });
          await expect.poll(() => seen).toEqual(["offline"]);
        } finally {
          await watcher.endAsync();
        }
      } finally {
        killAll(b, file);
      }
    },
    60_000,
  );
});

describeWithRealService("mqtt", "the Home Assistant bridge's entities on Home Assistant's broker", (url) => {
  let hub: RunningHub;
  let ha: HomeAssistantStandIn;
  let token = "";
  const community = `ha${Date.now().toString(36)}`;

  beforeAll(async () => {
    hub = await hubOn({ now: () => new Date(now) });
    ({ deviceToken: token } = await seed(hub.url, community));
    ha = new HomeAssistantStandIn(HA_TOKEN);
    await ha.start();
    house(ha);
  });
  afterAll(async () => {
    await ha.stop();
    await hub.close();
  });

  it("announces the household's entities by MQTT discovery and takes the bid card's price limits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "openlem-ha-"));
    const config = {
      ...exampleConfig(ha, hub.url, token, dir),
      hub: { url: hub.url, community, household: "h", deviceToken: token },
      mqtt: { url },
    };
    const sub = await mqtt.connectAsync(url);
    const got = new Map<string, string>();
    sub.on("message", (t, p) => got.set(t, p.toString()));
    await sub.subscribeAsync([
      `homeassistant/number/openlem_h_max_buy_price/config`,
      topics.bridgeState(community, "h"),
    ]);
    const events: BridgeEvent[] = [];
    const bridge = await HaBridge.start(config, { tickMs: 100, onEvent: (e) => events.push(e) });
    try {
      await expect.poll(() => got.has("homeassistant/number/openlem_h_max_buy_price/config")).toBe(true);
      const discovery = JSON.parse(got.get("homeassistant/number/openlem_h_max_buy_price/config") ?? "{}");
      expect(discovery).toMatchObject({
        default_entity_id: householdEntities.maxBuyPrice("h"),
        command_topic: topics.bridgeSet(community, "h", "max_buy_price"),
        min: 0,
        max: 0.5,
      });
      // the bid card sets the number: Home Assistant publishes on the command topic
      await sub.publishAsync(topics.bridgeSet(community, "h", "max_buy_price"), "0.18");
      await expect.poll(() => events.some((e) => e.type === "limits")).toBe(true);
      await expect.poll(() => JSON.parse(got.get(topics.bridgeState(community, "h")) ?? "{}").maxBuyPrice).toBe(0.18);
    } finally {
      await bridge.stop();
      await sub.endAsync();
    }
  });
});
