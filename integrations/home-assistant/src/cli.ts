#!/usr/bin/env node
import { parseArgs } from "node:util";
import { HaBridge } from "./bridge.js";
import { ConfigError, loadConfig } from "./config.js";
import { HaError } from "./ha-connection.js";

const USAGE = `openlem-ha-bridge --config bridge.yaml

Puts a Home Assistant household on an OpenLEM community market: reads the mapped meters and
devices, runs the household agent, steers the devices through Home Assistant services, and
announces the household's market entities through MQTT discovery. See examples/home-assistant.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return void console.log(USAGE);
  if (!values.config) throw new ConfigError(`which config? --config bridge.yaml\n\n${USAGE}`);
  const config = loadConfig(values.config);
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
  // Stopping, and as far as it can be done crashing too, hands the devices back first: boiler
  // to its thermostat, battery idle, EV charging (each device's onExit). A second signal, or
  // a hand-back that takes over 10 s, ends the process anyway.
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) process.exit(code);
    stopping = true;
    console.log("stopping: handing the devices back");
    setTimeout(() => process.exit(code), 10_000).unref();
    void bridge.stop().then(
      () => {
        console.log("devices handed back");
        process.exit(code);
      },
      (err: unknown) => {
        console.error(`handing back failed: ${err instanceof Error ? err.message : err}`);
        process.exit(code || 1);
      },
    );
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  const crashed = (err: unknown) => {
    console.error(`openlem-ha-bridge crashed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
    stop(1);
  };
  process.on("uncaughtException", crashed);
  process.on("unhandledRejection", crashed);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`openlem-ha-bridge: config: ${err.message}`);
  else if (err instanceof HaError) console.error(`openlem-ha-bridge: ${err.message}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
