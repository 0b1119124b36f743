#!/usr/bin/env node
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { stopOnExit } from "@openlem/agents";
import { loadAddonConfig } from "./addon.js";
import { HaBridge } from "./bridge.js";
import { ConfigError, loadConfig } from "./config.js";
import { HaError } from "./ha-connection.js";

const USAGE = `openlem-ha-bridge --config bridge.yaml
openlem-ha-bridge --addon /data/options.json   (as a Home Assistant add-on)

Puts a Home Assistant household on an OpenLEM community market: reads the mapped meters and
devices, runs the household agent, steers the devices through Home Assistant services, and
announces the household's market entities through MQTT discovery. See examples/home-assistant.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: "string", short: "c" },
      addon: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (!values.config && !values.addon) throw new ConfigError(`which config? --config bridge.yaml\n\n${USAGE}`);
  const config = values.addon
    ? loadAddonConfig(values.addon, {
        supervisorToken: process.env.SUPERVISOR_TOKEN,
        haUrl: process.env.OPENLEM_HA_URL ?? "http://supervisor/core",
        dataDir: dirname(values.addon),
      })
    : loadConfig(values.config ?? "");
  const bridge = await HaBridge.start(config, {
    onEvent: (e) => {
      if (e.type === "applied")
        console.log(
          `${new Date(e.decision.startMs).toISOString()} ${e.decision.mode}: ${e.decision.why.join("; ") || "as planned"}`,
        );
      if (e.type === "submitted")
        console.log(
          e.netWh === 0
            ? `nothing to bid for ${e.slot}: the devices' plan is balanced there`
            : `${e.netWh > 0 ? "bid to buy" : "offered"} ${Math.abs(e.netWh)} Wh for ${e.slot}`,
        );
      if (e.type === "home-assistant")
        console.log(e.connected ? "Home Assistant connected" : "Home Assistant disconnected: waiting for it");
      if (e.type === "hub") console.log(e.reachable ? "hub reachable: market control" : `local control: ${e.reason}`);
      if (e.type === "meter") console.warn(`meter: ${e.problem}`);
      if (e.type === "released") console.log("devices handed back to their own control");
      if (e.type === "error") console.error(e.error instanceof Error ? e.error.message : e.error);
    },
  });
  console.log(`bridging ${config.homeAssistant.url} to community ${config.hub.community} as ${config.hub.household}`);
  // boiler to its thermostat, battery idle, EV charging: each device's onExit
  stopOnExit({ name: "openlem-ha-bridge", stop: () => bridge.stop() });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`openlem-ha-bridge: config: ${err.message}`);
  else if (err instanceof HaError) console.error(`openlem-ha-bridge: ${err.message}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
