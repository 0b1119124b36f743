#!/usr/bin/env node
import { parseArgs } from "node:util";
import { stopOnExit } from "@openlem/agents";
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
      if (e.type === "edge") {
        console.log(
          `Edge user: ${e.role}; REST controller ${e.controllerId} (${e.controllerFrom}); API timeout ${e.apiTimeoutSeconds} s (${e.timeoutFrom === "edge" ? "from the Edge" : "edge.apiTimeoutSeconds, the Edge did not say"}): set-point renewed every ${e.renewMs / 1000} s`,
        );
        if (e.order.length > 0) console.log(`the Edge runs its controllers in this order: ${e.order.join(", ")}`);
        if (e.hybrid)
          console.log(
            `${config.edge.ess} is a hybrid (${e.hybrid.factoryId}): its set-point is AC-side and includes the DC-PV, so the bridge plans the battery's own power (DcDischargePower) and posts it plus the DC-PV`,
          );
        if (!e.steer) console.warn(`reading and bidding only, the battery is not steered: ${e.why}`);
      }
      if (e.type === "held back" || e.type === "shared controller" || e.type === "warning") console.warn(e.why);
      if (e.type === "following")
        (e.ok ? console.log : console.warn)(
          e.ok ? `battery follows the set-point (${e.setpointW} W)` : `battery does not follow: ${e.why}`,
        );
      if (e.type === "applied")
        console.log(
          `${new Date(e.decision.startMs).toISOString()} ${e.decision.mode}: battery ${e.decision.batteryW} W`,
        );
      if (e.type === "submitted") console.log(`bid ${e.netWh} Wh for ${e.slot}`);
      if (e.type === "filled")
        console.log(
          `${new Date(e.fills.startMs).toISOString()}: bought ${e.fills.boughtWh} of ${e.bid.buyWh} Wh, sold ${e.fills.soldWh} of ${e.bid.sellWh} Wh`,
        );
      if (e.type === "hub") console.log(e.reachable ? "hub reachable: market control" : `local control: ${e.reason}`);
      if (e.type === "meter") console.warn(`meter: ${e.problem}`);
      if (e.type === "released") console.log("battery released to the Edge's own control");
      if (e.type === "error") console.error(e.error instanceof Error ? e.error.message : e.error);
    },
  });
  console.log(
    `bridging the Edge at ${config.edge.url} to community ${config.hub.community} as ${config.hub.household}`,
  );
  // stopping releases the set-point to the Edge's own control; a crash that cannot leaves it
  // to expire with the Edge's API timeout, since nothing renews it any more
  stopOnExit({ name: "openlem-openems-bridge", stop: () => bridge.stop() });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(`openlem-openems-bridge: config: ${err.message}`);
  else if (err instanceof EdgeError) console.error(`openlem-openems-bridge: ${err.message}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
