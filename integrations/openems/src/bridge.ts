import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { HouseholdLoop, HouseholdSpec, type LoopEvent } from "@openlem/agents";
import { HubRest } from "@openlem/client";
import { checkAccess, type EdgeAccess } from "./access.js";
import type { EdgeBridgeConfig } from "./config.js";
import { CHANNELS, EdgeDevices } from "./devices.js";
import { EdgeError, EdgeRest } from "./edge-rest.js";
import { otherWrites } from "./following.js";

export type EdgeBridgeEvent =
  | LoopEvent
  /** What the Edge lets the bridge do, said once at start. */
  | ({ type: "edge" } & EdgeAccess)
  | { type: "renewed"; powerW: number }
  /** No state of charge read lately: the set-point was withdrawn to the Edge's own control. */
  | { type: "held back"; why: string }
  /** The read-back changed its verdict: the battery follows the set-point, or not and why. */
  | { type: "following"; ok: boolean; setpointW: number; why?: string }
  /** Other clients write through the same REST controller, so its one API timer never runs out. */
  | { type: "shared controller"; channels: string[]; why: string }
  /** Something in the Edge's config the household should know (a controller before the bridge's). */
  | { type: "warning"; why: string };

export interface EdgeBridgeOptions {
  tickMs?: number;
  onEvent?: (e: EdgeBridgeEvent) => void;
  /**
   * How long to keep asking for the battery's capacity while the Edge has no value for it yet
   * (just after the Edge restarted), and how often (ms; default 60 s, every 2 s).
   */
  capacityWaitMs?: number;
  capacityRetryMs?: number;
  /** How long a set-point stands before the read-back judges it (ms; default 10 s: batteries ramp). */
  followSettleMs?: number;
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
  private heldBack = false;
  /** The read-back's last verdict (null: none yet), said again only when it changes. */
  private followed: boolean | null = null;
  private shared: string[] = [];

  private constructor(
    readonly config: EdgeBridgeConfig,
    readonly edge: EdgeRest,
    readonly devices: EdgeDevices,
    readonly loop: HouseholdLoop,
  ) {}

  static async start(config: EdgeBridgeConfig, options: EdgeBridgeOptions = {}): Promise<EdgeBridge> {
    const edge = new EdgeRest(config.edge.url, config.edge.username, config.edge.password);
    const emit = (e: EdgeBridgeEvent) => options.onEvent?.(e);
    // refused here (a guest, a read-only API, no set-point, no API timeout) the battery stays
    // under the Edge's own controllers: the bridge has written nothing but a release
    const access = await checkAccess(edge, config);
    emit({ type: "edge", ...access });
    for (const why of access.warnings) emit({ type: "warning", why });
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
    const tickMs = options.tickMs ?? 5_000;
    // the supervisor reads the state of charge every tick: two renewals without one is stale
    const devices = new EdgeDevices(edge, config, capacityWh, 2 * access.renewMs + tickMs, {
      controllerId: access.controllerId,
      steer: access.steer,
      hybrid: access.hybrid !== null,
    });
    const rest = new HubRest({
      url: config.hub.url,
      communityId: config.hub.community,
      householdId: config.hub.household,
      auth: { deviceToken: config.hub.deviceToken },
    });
    // reading only: the bids carry the house without the battery's flexibility, which the
    // Edge's own controllers keep
    const spec = HouseholdSpec.parse({
      ...(access.steer && {
        battery: {
          capacityWh,
          maxChargeW: config.battery.maxChargeW,
          maxDischargeW: config.battery.maxDischargeW,
          roundTripEfficiency: config.battery.roundTripEfficiency,
          minSoc: config.battery.minSoc,
          maxSoc: config.battery.maxSoc,
        },
      }),
      limits: config.limits,
    });
    const loop = new HouseholdLoop({
      spec,
      hub: rest,
      devices,
      statePath: join(config.stateDir, "agent.json"),
      onEvent: emit,
    });
    const bridge = new EdgeBridge(config, edge, devices, loop);
    const guard = (p: Promise<unknown>) => p.catch((error: unknown) => emit({ type: "error", error }));
    bridge.timers.push(setInterval(() => bridge.tick(emit), tickMs));
    const settleMs = options.followSettleMs ?? 10_000;
    if (access.steer) bridge.timers.push(setInterval(() => void guard(bridge.renew(emit, settleMs)), access.renewMs));
    bridge.timers.push(setInterval(() => void guard(devices.sample()), config.sampleSeconds * 1000));
    await devices.sample();
    bridge.tick(emit);
    return bridge;
  }

  /**
   * Posts the set-point again while the safety supervisor still sees the battery (the decision
   * itself is re-checked on every tick), then reads back whether the battery follows it.
   */
  private async renew(emit: (e: EdgeBridgeEvent) => void, settleMs: number): Promise<void> {
    const done = await this.devices.renew();
    if (done === "renewed") emit({ type: "renewed", powerW: this.devices.setpointW });
    if (done === "held back" && !this.heldBack)
      emit({
        type: "held back",
        why: `no state of charge from the Edge's ${CHANNELS.soc(this.config.edge.ess)} for a while: the set-point is withdrawn, the Edge's own controllers run the battery until it comes back`,
      });
    this.heldBack = done === "held back";
    if (done !== "renewed") return;
    const now = await this.devices.checkFollowing(settleMs);
    const others = otherWrites(this.devices.workerLog, CHANNELS.setpoint(this.config.edge.ess));
    if (others.join() !== this.shared.join()) {
      this.shared = others;
      if (others.length > 0)
        emit({
          type: "shared controller",
          channels: others,
          why:
            `another client writes ${others.join(", ")} through the same REST controller: its one API timer` +
            " restarts with every write, so the Edge would not drop this bridge's set-point should the bridge" +
            " die. Give the bridge a REST controller of its own (another port) or the other client another one",
        });
    }
    if (now && now.ok !== this.followed) {
      this.followed = now.ok;
      emit({ type: "following", ok: now.ok, setpointW: this.devices.setpointW, ...(now.ok ? {} : { why: now.why }) });
    }
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

  /**
   * Stops the bridge and hands the battery back to the Edge's own control: a renewal already
   * on its way lands first, then the release (`null`), so no set-point follows the release.
   */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.running;
    await this.loop.stop({ handBack: true });
  }
}
