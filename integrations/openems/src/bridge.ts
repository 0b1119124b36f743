import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { HouseholdLoop, HouseholdSpec, type LoopEvent } from "@openlem/agents";
import { HubRest } from "@openlem/client";
import type { EdgeBridgeConfig } from "./config.js";
import { CHANNELS, EdgeDevices } from "./devices.js";
import { EdgeError, EdgeRest } from "./edge-rest.js";

export type EdgeBridgeEvent = LoopEvent | { type: "renewed"; powerW: number };

export interface EdgeBridgeOptions {
  tickMs?: number;
  onEvent?: (e: EdgeBridgeEvent) => void;
  /**
   * How long to keep asking for the battery's capacity while the Edge has no value for it yet
   * (just after the Edge restarted), and how often (ms; default 60 s, every 2 s).
   */
  capacityWaitMs?: number;
  capacityRetryMs?: number;
}

/** A channel's value once the Edge has one: asked again every `everyMs` for up to `forMs`. */
async function readOnceThere(edge: EdgeRest, channel: string, forMs: number, everyMs: number): Promise<number | null> {
  const deadline = Date.now() + forMs;
  for (;;) {
    const v = await edge.read(channel);
    if (v !== null || Date.now() + everyMs > deadline) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The OpenEMS bridge: the household agent for the Edge's battery and the house behind it. */
export class EdgeBridge {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | null = null;

  private constructor(
    readonly config: EdgeBridgeConfig,
    readonly edge: EdgeRest,
    readonly devices: EdgeDevices,
    readonly loop: HouseholdLoop,
  ) {}

  static async start(config: EdgeBridgeConfig, options: EdgeBridgeOptions = {}): Promise<EdgeBridge> {
    const edge = new EdgeRest(config.edge.url, config.edge.username, config.edge.password);
    const capacityWh =
      config.battery.capacityWh ??
      (await readOnceThere(
        edge,
        CHANNELS.capacity(config.edge.ess),
        options.capacityWaitMs ?? 60_000,
        options.capacityRetryMs ?? 2_000,
      ));
    if (!capacityWh)
      throw new EdgeError(
        `the Edge reports no ${CHANNELS.capacity(config.edge.ess)}: set battery.capacityWh in the config`,
      );
    mkdirSync(config.stateDir, { recursive: true });
    const devices = new EdgeDevices(edge, config, capacityWh);
    const rest = new HubRest({
      url: config.hub.url,
      communityId: config.hub.community,
      householdId: config.hub.household,
      auth: { deviceToken: config.hub.deviceToken },
    });
    const spec = HouseholdSpec.parse({
      battery: {
        capacityWh,
        maxChargeW: config.battery.maxChargeW,
        maxDischargeW: config.battery.maxDischargeW,
        roundTripEfficiency: config.battery.roundTripEfficiency,
        minSoc: config.battery.minSoc,
        maxSoc: config.battery.maxSoc,
      },
      limits: config.limits,
    });
    const emit = (e: EdgeBridgeEvent) => options.onEvent?.(e);
    const loop = new HouseholdLoop({
      spec,
      hub: rest,
      devices,
      statePath: join(config.stateDir, "agent.json"),
      onEvent: emit,
    });
    const bridge = new EdgeBridge(config, edge, devices, loop);
    const guard = (p: Promise<unknown>) => p.catch((error: unknown) => emit({ type: "error", error }));
    bridge.timers.push(setInterval(() => bridge.tick(emit), options.tickMs ?? 5_000));
    bridge.timers.push(
      setInterval(
        // the set-point is renewed while the loop's decision stands: the decision itself is
        // re-checked by the safety supervisor on every tick
        () => void guard(devices.renew().then(() => emit({ type: "renewed", powerW: devices.setpointW }))),
        config.renewSeconds * 1000,
      ),
    );
    bridge.timers.push(setInterval(() => void guard(devices.sample()), config.sampleSeconds * 1000));
    await devices.sample();
    bridge.tick(emit);
    return bridge;
  }

  private tick(emit: (e: EdgeBridgeEvent) => void): void {
    if (this.running) return;
    this.running = this.loop
      .tick()
      .catch((error: unknown) => emit({ type: "error", error }))
      .finally(() => {
        this.running = null;
      });
  }

  /** Stops the bridge and hands the battery back to the Edge's own control. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.running;
    await this.loop.stop({ handBack: true });
  }
}
