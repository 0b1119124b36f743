import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningHub } from "@openlem/hub";
import { communityEntities, householdEntities } from "@openlem/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  homeAssistantVersions,
  type RunningHomeAssistant,
  startHomeAssistant,
} from "../../../test-support/home-assistant.js";
import { houseBridgeYaml, houseYaml } from "../../../test-support/home-assistant-house.js";
import { hubOn, seed } from "../../../test-support/hub-fixture.js";
import { hubBridgeConfig, type RunningMosquitto, startMosquitto } from "../../../test-support/mosquitto.js";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { HaBridge, parseConfig } from "../src/index.js";

const HOUSE = houseYaml({ boilerTempC: 55 });

/**
 * The two set-ups the README describes besides Home Assistant on the hub's broker, each with a
 * real Home Assistant and a real Mosquitto: the household's own Mosquitto (as the add-on runs
 * it) bridging the hub's topics in, and a hub that publishes to Home Assistant's Mosquitto
 * (MQTT_URL). In both, the community's and the household's entities meet in Home Assistant.
 */
describeWithRealService("homeAssistant", "broker set-ups with a real Home Assistant and Mosquitto", (value) => {
  for (const version of homeAssistantVersions(value)) {
    describe(`Home Assistant ${version}`, () => {
      const now = Date.parse("2026-06-25T09:02:00Z");
      let hub: RunningHub | undefined;
      let ha: RunningHomeAssistant | undefined;
      let broker: RunningMosquitto | undefined;
      let bridge: HaBridge | undefined;
      afterEach(async () => {
        await bridge?.stop();
        await ha?.stop();
        await broker?.stop();
        await hub?.close();
        bridge = ha = broker = hub = undefined;
      }, 90_000);

      async function householdOn(brokerUrl: string, deviceToken: string, hubUrl: string, h: RunningHomeAssistant) {
        return HaBridge.start(
          parseConfig(
            houseBridgeYaml({
              ha: h,
              hubUrl,
              deviceToken,
              stateDir: mkdtempSync(join(tmpdir(), "openlem-setup-")),
              mqtt: { url: brokerUrl },
            }),
            {},
          ),
          { tickMs: 200, now: () => now },
        );
      }

      /** The community's price (from the hub) and a household entity (from the bridge) are both in Home Assistant. */
      async function bothMeet(h: RunningHomeAssistant, householdEntity: string) {
        await expect
          .poll(async () => (await h.state(communityEntities.price("c")))?.state, { timeout: 60_000 })
          .toBe("0.22");
        await expect.poll(async () => (await h.state(householdEntity))?.state, { timeout: 60_000 }).toBeDefined();
      }

      it("the household's own Mosquitto bridges the hub's entities in", async () => {
        hub = await hubOn({ now: () => new Date(now) });
        const { deviceToken, haToken } = await seed(hub.url);
        const hubPort = Number(new URL(hub.mqttUrl).port);
        // the README's Mosquitto bridge logs in to the hub with the Home Assistant token
        broker = await startMosquitto(
          hubBridgeConfig({ hubHost: "127.0.0.1", hubPort, household: "h", token: haToken }),
        );
        ha = await startHomeAssistant({ version, mqtt: { host: "127.0.0.1", port: broker.port }, extraConfig: HOUSE });
        bridge = await householdOn(broker.url, deviceToken, hub.url, ha);
        const h = ha;
        // the community's entities through the bridge of brokers, the household's from its bridge
        await bothMeet(h, householdEntities.maxBuyPrice("h"));
        await h.callService("number", "set_value", { entity_id: householdEntities.maxBuyPrice("h"), value: 0.19 });
        await expect.poll(async () => Number((await h.state(householdEntities.maxBuyPrice("h")))?.state)).toBe(0.19);
        // Home Assistant restarts: its birth message crosses to the hub, which announces again
        await h.restart();
        await expect
          .poll(async () => (await h.state(communityEntities.price("c")))?.state, { timeout: 90_000 })
          .toBe("0.22");
        expect(broker.log()).toMatch(/Connecting bridge .*openlem-hub/);
      }, 300_000);

      it("a hub on Home Assistant's Mosquitto (MQTT_URL) publishes where Home Assistant reads", async () => {
        broker = await startMosquitto();
        hub = await hubOn({ now: () => new Date(now), mqttUrl: broker.url });
        const { deviceToken } = await seed(hub.url);
        ha = await startHomeAssistant({ version, mqtt: { host: "127.0.0.1", port: broker.port }, extraConfig: HOUSE });
        bridge = await householdOn(broker.url, deviceToken, hub.url, ha);
        await bothMeet(ha, householdEntities.costToday("h"));
      }, 300_000);
    });
  }
});
