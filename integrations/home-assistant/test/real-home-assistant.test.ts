import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningHub } from "@openlem/hub";
import { communityEntities, DeviceTokenCreated, householdEntities } from "@openlem/protocol";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, REPO_ROOT, sourceBin, startBridge } from "../../../test-support/bridge-process.js";
import {
  homeAssistantVersions,
  type RunningHomeAssistant,
  startHomeAssistant,
} from "../../../test-support/home-assistant.js";
import { houseBridgeYaml, houseYaml, setUpEnergyDashboard } from "../../../test-support/home-assistant-house.js";
import { freePort, hubOn, memberToken, post, revokeToken, seed } from "../../../test-support/hub-fixture.js";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { type BridgeEvent, HaBridge, parseConfig } from "../src/index.js";

/** The house: a cold tank (42 °C) and a battery at 60 %, with the history and energy integrations. */
const HOUSE = houseYaml({
  boilerTempC: 42,
  batterySocPercent: 60,
  extra: "recorder:\n  commit_interval: 1\nlogbook:\nhistory:\nenergy:",
});

describeWithRealService("homeAssistant", "against a real Home Assistant core", (value) => {
  for (const version of homeAssistantVersions(value)) {
    describe(`Home Assistant ${version}`, () => {
      let hub: RunningHub;
      let ha: RunningHomeAssistant;
      let deviceToken = "";
      let deviceTokenId = 0;
      let haToken = "";
      let watcher: MqttClient | undefined;
      const births: string[] = [];
      /** The tank reads `tempC`; the element is soon in the state the limits want. */
      const tankAt = async (tempC: number, element: "on" | "off") => {
        await ha.callService("input_number", "set_value", {
          entity_id: "input_number.boiler_temperature",
          value: tempC,
        });
        await expect.poll(async () => (await ha.state("input_boolean.boiler"))?.state).toBe(element);
      };
      /** The house's bridge; its entities on the hub's broker (logged in with the Home Assistant token) unless told. */
      const houseBridge = (o: { broker?: boolean; battery?: boolean } = {}) =>
        parseConfig(
          houseBridgeYaml({
            ha,
            hubUrl: hub.url,
            deviceToken,
            stateDir: mkdtempSync(join(tmpdir(), "openlem-real-ha-")),
            ...((o.broker ?? true) ? { mqtt: { url: hub.mqttUrl, username: "h", password: haToken } } : {}),
            ...(o.battery ? { battery: true } : {}),
          }),
          {},
        );
      let now = Date.parse("2026-06-25T09:02:00Z");

      // fixed ports and a data directory, so the hub (and its broker) can restart as it is
      const hubSetup = { now: () => new Date(now), port: 0, mqttPort: 0, dataDir: "" };

      beforeAll(async () => {
        Object.assign(hubSetup, {
          port: await freePort(),
          mqttPort: await freePort(),
          dataDir: mkdtempSync(join(tmpdir(), "openlem-real-ha-hub-")),
        });
        hub = await hubOn(hubSetup);
        ({ deviceToken, deviceTokenId, haToken } = await seed(hub.url));
        const mqttPort = Number(new URL(hub.mqttUrl).port);
        watcher = await mqtt.connectAsync(hub.mqttUrl);
        watcher.on("message", (topic, payload) => {
          if (topic === "homeassistant/status") births.push(payload.toString());
        });
        await watcher.subscribeAsync("homeassistant/status");
        // Home Assistant on the hub's own broker, logged in with the household's Home Assistant
        // token (README step 3: it sees the household's bridge topics and may set its price limits)
        ha = await startHomeAssistant({
          version,
          mqtt: { host: "127.0.0.1", port: mqttPort, username: "h", password: haToken },
          extraConfig: HOUSE,
        });
      }, 300_000);
      afterAll(async () => {
        await ha?.stop();
        await watcher?.endAsync();
        await hub?.close();
      }, 60_000);

      it("shows the hub's community entities with the documented ids and stays connected to the hub's broker", async () => {
        const price = communityEntities.price("c");
        await expect.poll(async () => (await ha.state(price))?.state, { timeout: 60_000 }).toBe("0.22");
        const s = await ha.state(price);
        const forecast = s?.attributes.forecast as { start: string; kind: string }[];
        // from the slot under way to the end of tomorrow, even on a hub that never cleared
        expect(forecast[0]?.start).toBe("2026-06-25T09:00:00.000Z");
        expect(forecast.at(-1)?.start).toBe("2026-06-26T21:45:00.000Z");
        expect(s?.attributes).toMatchObject({ unit_of_measurement: "EUR/kWh", retail_price: 0.22, price_cap: 0.5 });
        expect(await ha.state(communityEntities.selfSufficiency("c"))).toBeDefined();
        // the broker took Home Assistant's birth message (a broker that refuses it drops Home
        // Assistant): the message reached another client, and Home Assistant stayed connected
        await expect.poll(() => births).toContain("online");
        await new Promise((r) => setTimeout(r, 3_000));
        expect((await ha.state(price))?.state).toBe("0.22");
        expect(ha.log()).not.toMatch(/Disconnected from MQTT/i);
      });

      it("the bridge steers the devices through Home Assistant, holds the limits mid-slot and hands them back", async () => {
        const config = houseBridge({ broker: false, battery: true });
        const events: BridgeEvent[] = [];
        const bridge = await HaBridge.start(config, { tickMs: 200, now: () => now, onEvent: (e) => events.push(e) });
        try {
          // 42 °C, below the 45 °C minimum: the element goes on, the battery feeds it
          await expect.poll(async () => (await ha.state("input_boolean.boiler"))?.state).toBe("on");
          await expect.poll(async () => Number((await ha.state("input_number.battery_setpoint"))?.state)).toBe(3000);
          await expect.poll(() => events.some((e) => e.type === "submitted")).toBe(true);
          // mid-slot the tank reads 70 °C: off at once, and the battery stops feeding it
          now = Date.parse("2026-06-25T09:06:00Z");
          await tankAt(70, "off");
          await expect.poll(async () => Number((await ha.state("input_number.battery_setpoint"))?.state)).toBe(0);
          // Home Assistant's logbook shows what the bridge did, as service calls of its user
          type Entry = { entity_id: string; state: string; context_service?: string };
          const book = () =>
            ha.command<Entry[]>({
              type: "logbook/get_events",
              start_time: new Date(Date.now() - 600_000).toISOString(),
              entity_ids: ["input_boolean.boiler"],
            });
          await expect
            .poll(async () => (await book()).map((e) => e.state))
            .toEqual(expect.arrayContaining(["on", "off"]));
          expect((await book()).some((e) => e.context_service === "turn_off")).toBe(true);

          // Home Assistant restarts: the bridge waits, reconnects and holds the limits again
          await ha.restart();
          await ha.callService("input_number", "set_value", {
            entity_id: "input_number.boiler_temperature",
            value: 40,
          });
          await expect
            .poll(async () => (await ha.state("input_boolean.boiler"))?.state, { timeout: 60_000 })
            .toBe("on");
          await tankAt(70, "off");
          const links = events.flatMap((e) => (e.type === "home-assistant" ? [e.connected] : []));
          expect(links).toEqual(expect.arrayContaining([false, true]));
          expect(links.at(-1)).toBe(true);
        } finally {
          await bridge.stop();
        }
        // handed back: the element on for its own thermostat, the battery idle
        expect((await ha.state("input_boolean.boiler"))?.state).toBe("on");
        expect(Number((await ha.state("input_number.battery_setpoint"))?.state)).toBe(0);
      });

      it("shows the household's entities the bridge announces, valid for the Energy dashboard", async () => {
        const config = houseBridge();
        const bridge = await HaBridge.start(config, { tickMs: 200, now: () => now });
        try {
          const cost = householdEntities.costToday("h");
          await expect.poll(async () => (await ha.state(cost))?.attributes.state_class).toBe("total");
          expect((await ha.state(cost))?.attributes).toMatchObject({
            device_class: "monetary",
            unit_of_measurement: "EUR",
          });
          await expect.poll(async () => (await ha.state(householdEntities.effectivePrice("h")))?.state).toBe("0.22");
          expect(await ha.state(householdEntities.maxBuyPrice("h"))).toBeDefined();
          // the bid card's slider: Home Assistant writes the number, the bridge takes the limit
          await ha.callService("number", "set_value", { entity_id: householdEntities.maxBuyPrice("h"), value: 0.18 });
          await expect.poll(async () => Number((await ha.state(householdEntities.maxBuyPrice("h")))?.state)).toBe(0.18);
          // the Energy dashboard takes all imports with their cost, and all exports with their
          // compensation, local and utility trade alike (README step 6); Home Assistant's own
          // checks (device and state class, unit, a numeric state) find nothing
          const issues = await setUpEnergyDashboard(ha, "h");
          expect(issues).toEqual([]);
        } finally {
          await bridge.stop();
        }
      });

      it("a revoked device token leaves Home Assistant on the broker, showing why; stopped, the bridge's entities go unavailable", async () => {
        const config = houseBridge();
        const status = householdEntities.agentStatus("h");
        const bridge = await HaBridge.start(config, { tickMs: 200, now: () => now });
        try {
          await expect.poll(async () => (await ha.state(status))?.state).not.toMatch(/^(unavailable|unknown)?$/);
          await revokeToken(hub.url, deviceTokenId);
          // the devices run locally, and Home Assistant, on its own login, shows why
          await expect
            .poll(async () => (await ha.state(status))?.state, { timeout: 30_000 })
            .toMatch(/^local control: the hub refused the device token/);
          expect((await ha.state(communityEntities.price("c")))?.state).toBe("0.22");
          await tankAt(40, "on");
        } finally {
          await bridge.stop();
        }
        // stopped: Home Assistant no longer shows the last values as live
        await expect.poll(async () => (await ha.state(status))?.state).toBe("unavailable");
        expect((await ha.state(householdEntities.costToday("h")))?.state).toBe("unavailable");
        // a new device token for the tests after this one (README: replacing a token)
        deviceToken = DeviceTokenCreated.parse(
          await post(`${hub.url}/api/communities/c/households/h/device-tokens`, await memberToken(hub.url), {
            name: "replacement",
          }),
        ).token;
      });

      it("as an add-on: run.sh turns /data/options.json into the bridge, talks to Home Assistant with the add-on's token, and hands back on the Supervisor's SIGTERM", async () => {
        const data = mkdtempSync(join(tmpdir(), "openlem-addon-data-"));
        writeFileSync(
          join(data, "options.json"),
          JSON.stringify({
            hub_url: hub.url,
            community: "c",
            household: "h",
            device_token: deviceToken,
            mqtt_url: hub.mqttUrl,
            mqtt_token: haToken,
            boiler_switch: "input_boolean.boiler",
            boiler_temperature: "sensor.boiler_temperature",
            boiler_volume_l: 200,
            boiler_heater_w: 3000,
          }),
        );
        // the package's bin as the add-on's image installs it (here from the sources)
        const bin = mkdtempSync(join(tmpdir(), "openlem-addon-bin-"));
        sourceBin(bin, "openlem-ha-bridge", "integrations/home-assistant/src/cli.ts");
        await ha.callService("input_number", "set_value", { entity_id: "input_number.boiler_temperature", value: 58 });
        const b = startBridge("sh", [join(REPO_ROOT, "integrations/home-assistant/addon/run.sh")], {
          PATH: `${bin}:${process.env.PATH ?? ""}`,
          // the add-on's token; Home Assistant at its own address standing in for the Supervisor's proxy
          SUPERVISOR_TOKEN: ha.token,
          OPENLEM_HA_URL: ha.url,
          OPENLEM_ADDON_DATA: data,
        });
        try {
          await expect.poll(() => b.output(), { timeout: 60_000 }).toMatch(/bridging .* to community c as h/);
          await expect.poll(async () => (await ha.state(householdEntities.agentStatus("h")))?.state).toBeDefined();
          await ha.callService("input_boolean", "turn_off", { entity_id: "input_boolean.boiler" });
          await expect.poll(async () => (await ha.state("input_boolean.boiler"))?.state).toBe("off");
          // what the Supervisor does on stop (through s6, to the process run.sh became)
          process.kill(b.pid, "SIGTERM");
          expect(await b.exited).toEqual({ code: 0, signal: null });
          expect(b.output()).toMatch(/devices handed back/);
          expect((await ha.state("input_boolean.boiler"))?.state).toBe("on");
          // its state in the add-on's /data, which survives updates
          expect(existsSync(join(data, "openlem-state", "agent.json"))).toBe(true);
          await expect
            .poll(async () => (await ha.state(householdEntities.agentStatus("h")))?.state)
            .toBe("unavailable");
        } finally {
          killAll(b, data);
        }
      });

      it("survives the hub and its broker restarting: Home Assistant reconnects and the entities come back", async () => {
        const price = communityEntities.price("c");
        await expect.poll(async () => (await ha.state(price))?.state).toBe("0.22");
        const bridge = await HaBridge.start(houseBridge({ broker: false }), { tickMs: 200, now: () => now });
        try {
          await watcher?.endAsync();
          await hub.close();
          // the community goes unavailable in Home Assistant (the hub said offline as it went)
          await expect.poll(async () => (await ha.state(price))?.state, { timeout: 60_000 }).toBe("unavailable");
          // and the devices keep their limits under local control while the hub is away
          await tankAt(70, "off");
          await tankAt(40, "on");
        } finally {
          await bridge.stop();
        }
        hub = await hubOn(hubSetup);
        // Home Assistant's MQTT integration reconnects by itself; the hub announces again
        await expect.poll(async () => (await ha.state(price))?.state, { timeout: 90_000 }).toBe("0.22");
        // Home Assistant's MQTT integration met no errors on the way (a lost connection is a warning)
        expect(ha.log()).not.toMatch(/ERROR \(\w+\) \[homeassistant\.components\.mqtt/);
      }, 180_000);
    });
  }
});
