import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { CHANNELS, EdgeBridge, type EdgeBridgeEvent, type EdgeBridgeOptions, parseConfig } from "../src/index.js";
import { EdgeStandIn, type EdgeStandInOptions } from "./edge-stand-in.js";

// One Edge stand-in per test, with the example config pointed at it; both stopped after each test.
export const example = readFileSync(join(import.meta.dirname, "../../../examples/openems/edge.yaml"), "utf8");
// no hub answers here: the loop runs the battery on its local default (self-consumption),
// which is all these tests need from it
export const NO_HUB = "http://127.0.0.1:9";

const edges: EdgeStandIn[] = [];
export const bridges: EdgeBridge[] = [];
afterEach(async () => {
  for (const b of bridges.splice(0)) await b.stop();
  for (const e of edges.splice(0)) await e.stop();
});

export async function standIn(o: EdgeStandInOptions = {}): Promise<EdgeStandIn> {
  const edge = new EdgeStandIn(o);
  await edge.start();
  edge.set(CHANNELS.production, 800);
  edge.set(CHANNELS.consumption, 2000);
  edge.set(CHANNELS.soc("ess0"), 55);
  edges.push(edge);
  return edge;
}

export function configFor(edge: EdgeStandIn, password: string, extra: Record<string, unknown> = {}) {
  const c = parseConfig(example, {
    EDGE_URL: edge.url,
    EDGE_PASSWORD: password,
    OPENLEM_HUB_URL: NO_HUB,
    OPENLEM_COMMUNITY: "c",
    OPENLEM_HOUSEHOLD: "h",
    OPENLEM_DEVICE_TOKEN: "olm_dev_unused",
    OPENLEM_METER_ID: "m",
    OPENLEM_STATE_DIR: mkdtempSync(join(tmpdir(), "openlem-edge-")),
  });
  return { ...c, ...extra };
}

export async function start(
  edge: EdgeStandIn,
  password: string,
  extra: Record<string, unknown> = {},
  events: EdgeBridgeEvent[] = [],
  options: EdgeBridgeOptions = {},
) {
  const bridge = await EdgeBridge.start(configFor(edge, password, extra), {
    tickMs: 100,
    followSettleMs: 0,
    onEvent: (e) => events.push(e),
    ...options,
  });
  bridges.push(bridge);
  return bridge;
}
