#!/usr/bin/env node
import { parseArgs } from "node:util";
import { EdgeBridge } from "./bridge.js";
import { ConfigError, loadConfig } from "./config.js";
import { EdgeError } from "./edge-rest.js";

const USAGE = `openlem-openems-bridge --config edge.yaml

Puts a house with an OpenEMS Edge on an OpenLEM community market: reads the grid meter, PV,
consumption and battery over the Edge's REST API, runs the household agent for the battery,
posts its set-point and keeps it alive, and reports the meter. See examples/openems.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return void console.log(USAGE);
  if (!values.config) throw new ConfigError(`which config? --config edge.yaml\n\n${USAGE}`);
  const config = loadConfig(values.config);
  const bridge = await EdgeBridge.start(config, {
    onEvent: (e) => {
      if (e.type === "applied")
        console.log(
          `${new Date(e.decision.startMs).toISOString()} ${e.decision.mode}: battery ${e.decision.batteryW} W`,
        );
      if (e.type === "submitted") console.log(`bid ${e.netWh} Wh for ${e.slot}`);
      if (e.type === "hub")
        console.log(e.reachable ? "hub reachable" : `hub unreachable (${e.reason}): local default behaviour`);
      if (e.type === "error") console.error(e.error instanceof Error ? e.error.message : e.error);
    },
  });
  console.log(
    `bridging the Edge at ${config.edge.url} to community ${config.hub.community} as ${config.hub.household}`,
  );
  const stop = () => void bridge.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`openlem-openems-bridge: config: ${err.message}`);
  else if (err instanceof EdgeError) console.error(`openlem-openems-bridge: ${err.message}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
