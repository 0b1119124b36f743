import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type FillReport,
  fillShortfall,
  HouseholdLoop,
  HouseholdSpec,
  hubProblem,
  type LoopEvent,
  type PriceLimits,
} from "@openlem/agents";
import { HubError, HubRest, LiveFeed } from "@openlem/client";
import {
  type BridgeState,
  type Community,
  householdDiscovery,
  Price,
  parseMoney,
  statementTotals,
  toMinorUnits,
  topics,
} from "@openlem/protocol";
import mqtt, { type MqttClient } from "mqtt";
import { type BridgeConfig, ConfigError, configuredEntities, type ExpectedUnit } from "./config.js";
import { HaDevices } from "./devices.js";

import { HaConnection } from "./ha-connection.js";

export type BridgeEvent =
  | LoopEvent
  | { type: "home-assistant"; connected: boolean }
  | { type: "limits"; limits: PriceLimits }
  | { type: "published"; state: BridgeState };

export interface BridgeOptions {
  /** How often the agent loop runs (ms, default 5 s). */
  tickMs?: number;
  /** How often the price limits are read from the hub, where the household's page sets them too (ms, default 60 s). */
  limitsEveryMs?: number;
  /** Local time (default Date.now): what the devices follow when the hub does not answer. */
  now?: () => number;
  onEvent?: (e: BridgeEvent) => void;
}

/**
 * The Home Assistant bridge: the household agent for the devices the config maps, reading and
 * steering them through Home Assistant, bidding through the hub, reporting the meter, and
 * announcing the household's market entities on Home Assistant's broker.
 */
export class HaBridge {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private status = "starting";
  private haConnected = true;
  private readingsWaiting = 0;
  /** When the limits were last read from the hub, and whether limits set here still wait for it. */
  private limitsReadAtMs = 0;
  private limitsPending = false;
  private meterProblem: string | null = null;
  /** What the market gave for the last slot bid for (the loop read it from the fills). */
  private filled: FillReport | null = null;
  /** The day's figures as last read from the hub's statement. */
  private figures: Omit<BridgeState, "maxBuyPrice" | "minSellPrice" | "agentStatus"> | undefined;

  private constructor(
    readonly config: BridgeConfig,
    readonly ha: HaConnection,
    readonly rest: HubRest,
    /** The community's rules; null until the hub first answers (the devices run locally meanwhile). */
    private community: Community | null,
    readonly devices: HaDevices,
    readonly loop: HouseholdLoop,
    private limits: PriceLimits,
    private readonly mqttClient: MqttClient | undefined,
    private readonly feed: LiveFeed | undefined,
    private readonly options: BridgeOptions,
  ) {}

  static async start(config: BridgeConfig, options: BridgeOptions = {}): Promise<HaBridge> {
    const emit = (e: BridgeEvent) => options.onEvent?.(e);
    let bridge: HaBridge | undefined;
    const ha = await HaConnection.connect(config.homeAssistant.url, config.homeAssistant.token, (connected) => {
      bridge?.homeAssistant(connected);
      emit({ type: "home-assistant", connected });
    });
    try {
      // a mapped entity that Home Assistant does not have is a config error, named at start
      const problems: string[] = [];
      for (const e of configuredEntities(config)) {
        const s = ha.states[e.entity];
        if (!s) problems.push(`${e.path}: ${e.entity} does not exist in Home Assistant`);
        else if (e.unit && !unitFits(s.attributes.unit_of_measurement, e.unit)) {
          const unit = s.attributes.unit_of_measurement;
          problems.push(
            `${e.path}: ${e.entity} ${unit ? `is in ${String(unit)}` : "has no unit"}; it must be ${e.unit.what} in ${e.unit.units.join(", ")}`,
          );
        } else if (e.numeric && !["unavailable", "unknown"].includes(s.state) && !Number.isFinite(Number(s.state)))
          problems.push(`${e.path}: ${e.entity} is "${s.state}", not a number`);
      }
      if (problems.length) throw new ConfigError(problems.join("; "));
      const rest = new HubRest({
        url: config.hub.url,
        communityId: config.hub.community,
        householdId: config.hub.household,
        auth: { deviceToken: config.hub.deviceToken },
      });
      // a hub that is away at start does not keep the devices from their (local) control
      const community = await rest.community().catch((err: unknown) => {
        if (err instanceof HubError && !err.unusable) throw err;
        emit({ type: "hub", reachable: false, reason: hubProblem(err) });
        return null;
      });
      const devices = new HaDevices(ha, config);
      if (community) devices.timeZone = community.market.timeZone;
      mkdirSync(config.stateDir, { recursive: true });
      // the hub's standing preference is the one place the limits live (the household's page
      // sets it too); without one yet, the bridge's own (kept, or configured) go there
      const hubLimits = community ? await limitsOnHub(rest) : undefined;
      const limits = hubLimits ?? readLimits(config) ?? config.limits;
      if (community && hubLimits === null) await putLimits(rest, limits);
      const loop = HaBridge.makeLoop(config, rest, devices, limits, (e) => bridge?.onLoop(e), options.now);
      // EV sessions follow the hub's clock as the loop knows it, without asking the hub again
      devices.now = () => loop.estimatedNow() ?? Date.now();
      let client: MqttClient | undefined;
      if (config.mqtt) {
        const avail = topics.bridgeAvailability(config.hub.community, config.hub.household);
        client = await mqtt.connectAsync(config.mqtt.url, {
          ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
          ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
          will: { topic: avail, payload: Buffer.from("offline"), retain: true, qos: 1 },
          reconnectPeriod: 2_000,
        });
      }
      // own trades and results move today's figures: publish after each clearing
      const feed = await LiveFeed.start(
        rest,
        { trades: () => void bridge?.publish(), error: () => {} },
        config.hub.mqttUrl ? { mqttUrl: config.hub.mqttUrl } : {},
      ).catch(() => undefined);
      bridge = new HaBridge(config, ha, rest, community, devices, loop, limits, client, feed, options);
      // every state Home Assistant reports is held against the devices' hard limits at once
      ha.onStates = () => void loop.supervise();
      await bridge.announce();
      bridge.limitsReadAtMs = Date.now();
      bridge.timer = setInterval(() => bridge?.tick(), options.tickMs ?? 5_000);
      bridge.tick();
      return bridge;
    } catch (err) {
      ha.close();
      throw err;
    }
  }

  private static specOf(c: BridgeConfig, limits: PriceLimits): HouseholdSpec {
    return HouseholdSpec.parse({
      battery: c.battery,
      boiler: c.boiler,
      ev: c.ev ? { maxPowerW: c.ev.maxPowerW } : undefined,
      limits,
      boilerResolutionK: 0.5,
    });
  }

  private static makeLoop(
    c: BridgeConfig,
    rest: HubRest,
    devices: HaDevices,
    limits: PriceLimits,
    onEvent: (e: LoopEvent) => void,
    now?: () => number,
  ): HouseholdLoop {
    const spec = HaBridge.specOf(c, limits);
    return new HouseholdLoop({
      spec,
      hub: rest,
      devices,
      statePath: join(c.stateDir, "agent.json"),
      onEvent,
      ...(now ? { now } : {}),
    });
  }

  /**
   * Home Assistant went away or came back. Back: the decision in force is applied again at
   * once (a restarted Home Assistant may have reset the helpers), not at the next slot.
   */
  private homeAssistant(connected: boolean): void {
    this.haConnected = connected;
    if (connected) void this.loop.reapply();
    void this.publish().catch(() => undefined);
  }

  private emit(e: BridgeEvent): void {
    this.options.onEvent?.(e);
  }

  private onLoop(e: LoopEvent): void {
    if (e.type === "waiting") this.readingsWaiting = e.readings;
    if (e.type === "meter") this.meterProblem = e.problem;
    if (e.type === "reading") this.meterProblem = null;
    if (e.type === "filled") this.filled = { ...e.fills, ...e.bid };
    // who steers and why, as Home Assistant shows it: published whenever that changes
    if (["applied", "hub", "waiting", "meter", "filled"].includes(e.type)) {
      const next = this.statusNow();
      if (next !== this.status) {
        this.status = next;
        void this.publish().catch(() => undefined);
      }
    }
    this.emit(e);
  }

  /**
   * The agent's status: local control and why when the hub cannot be used, then what the
   * decision in force does first (a safety reason before a market one), readings waiting, and
   * a meter problem.
   */
  private statusNow(): string {
    const local = this.loop.control.why;
    const d = this.loop.decision;
    const reason = d?.why.find((w) => !w.startsWith("local control:"));
    const doing = reason ?? (d ? (d.mode === "plan" ? "following the market plan" : "local default") : null);
    // what the market gave for the slot under way, where it gave less than was bid
    const short = fillShortfall(this.filled, d?.startMs);
    return (
      [
        local ? `local control: ${local}` : null,
        doing,
        ...short,
        this.readingsWaiting > 0 ? `${this.readingsWaiting} readings waiting` : null,
        this.meterProblem ? `meter: ${this.meterProblem}` : null,
      ]
        .filter(Boolean)
        .join("; ") || "starting"
    );
  }

  /**
   * The limits as the hub keeps them, read every `limitsEveryMs`: a change on the household's
   * page reaches the agent and Home Assistant; limits set while the hub was away go to it.
   */
  private async syncLimits(): Promise<void> {
    if (Date.now() - this.limitsReadAtMs < (this.options.limitsEveryMs ?? 60_000)) return;
    this.limitsReadAtMs = Date.now();
    if (this.limitsPending) {
      this.limitsPending = !(await putLimits(this.rest, this.limits));
      return;
    }
    const onHub = await limitsOnHub(this.rest);
    const next = onHub ? { ...this.limits, ...onHub } : this.limits;
    if (!sameLimits(next, this.limits)) await this.setLimits(next, "hub");
  }

  /** One step: the agent loop (skipped while Home Assistant is away: the devices cannot be steered). */
  tick(): void {
    if (this.running) return;
    this.running = (async () => {
      await this.syncLimits();
      if (!this.community) {
        this.community = await this.rest.community().catch(() => null);
        if (this.community) {
          this.devices.timeZone = this.community.market.timeZone;
          await this.announceEntities();
        }
      }
      await this.loop.tick();
    })()
      .catch((error: unknown) => this.emit({ type: "error", error }))
      .finally(() => {
        this.running = null;
      });
  }

  /** The household's entities by MQTT discovery: their ranges come from the community's market rules. */
  private async announceEntities(): Promise<void> {
    const client = this.mqttClient;
    if (!client || !this.community) return;
    const { community: c, household: h } = this.config.hub;
    for (const d of householdDiscovery(c, h, this.community.market))
      await client.publishAsync(d.topic, JSON.stringify(d.config), { retain: true, qos: 1 });
  }

  private async announce(): Promise<void> {
    const client = this.mqttClient;
    if (!client) return;
    const { community: c, household: h } = this.config.hub;
    await this.announceEntities();
    await client.publishAsync(topics.bridgeAvailability(c, h), "online", { retain: true, qos: 1 });
    const keys = { max_buy_price: "maxBuyPrice", min_sell_price: "minSellPrice" } as const;
    await client.subscribeAsync(
      Object.keys(keys).map((k) => topics.bridgeSet(c, h, k)),
      { qos: 1 },
    );
    client.on("message", (topic, payload) => {
      const key = Object.keys(keys).find((k) => topic === topics.bridgeSet(c, h, k)) as keyof typeof keys | undefined;
      if (!key) return;
      const price = Price.safeParse(Number(payload.toString()));
      if (!price.success) return;
      void this.setLimits({ ...this.limits, [keys[key]]: price.data }, "home-assistant");
    });
    await this.publish();
  }

  /**
   * New price limits: kept across restarts, bid with from the next slot. Set in Home Assistant
   * (the bid card), they go to the hub's standing preference too, so the household's page shows
   * the same; a hub away gets them at the next read.
   */
  async setLimits(limits: PriceLimits, from: "home-assistant" | "hub" = "home-assistant"): Promise<void> {
    this.limits = limits;
    if (from === "home-assistant") this.limitsPending = !(await putLimits(this.rest, limits));
    writeFileSync(join(this.config.stateDir, "limits.json"), JSON.stringify(limits));
    // the same loop: its meter bookkeeping and the decision in force carry on
    this.loop.setSpec(HaBridge.specOf(this.config, limits));
    this.emit({ type: "limits", limits });
    await this.publish();
  }

  /** Today's figures from the hub's statement, the limits and the agent's status, on Home Assistant's broker. */
  async publish(): Promise<BridgeState | null> {
    const m = this.community?.market;
    let s: Awaited<ReturnType<HubRest["statement"]>> | null = null;
    try {
      s = await this.rest.statement("day");
    } catch {
      // the hub is away: the figures wait for the next clearing
    }
    const max = this.limits.maxBuyPrice;
    // the hub away: the day's figures stay as last known rather than drop to zero
    const t = s ? statementTotals(s) : null;
    const figures =
      s && t
        ? {
            boughtLocalWh: t.boughtLocalWh,
            boughtGridWh: t.boughtGridWh,
            soldLocalWh: t.soldLocalWh,
            soldGridWh: t.soldGridWh,
            importedWh: t.importedWh,
            exportedWh: t.exportedWh,
            importCost: t.importCostMinor / 100,
            exportCompensation: t.exportCompensationMinor / 100,
            cost: s.totalMinor / 100,
            savings: toMinorUnits(parseMoney(s.savings)) / 100,
            effectivePrice:
              t.importedWh > 0
                ? Math.round((t.importCostMinor / 100 / (t.importedWh / 1000)) * 100_000) / 100_000
                : (m?.retailPrice ?? 0),
            dayStart: s.period.from,
          }
        : (this.figures ?? {
            boughtLocalWh: 0,
            boughtGridWh: 0,
            soldLocalWh: 0,
            soldGridWh: 0,
            importedWh: 0,
            exportedWh: 0,
            importCost: 0,
            exportCompensation: 0,
            cost: 0,
            savings: 0,
            effectivePrice: m?.retailPrice ?? 0,
            dayStart: new Date(new Date().setUTCHours(0, 0, 0, 0)).toISOString(),
          });
    this.figures = figures;
    const state: BridgeState = {
      ...figures,
      maxBuyPrice: typeof max === "number" ? max : (m?.retailPrice ?? 0),
      minSellPrice: this.limits.minSellPrice ?? m?.feedInTariff ?? 0,
      agentStatus: (this.haConnected ? this.status : "Home Assistant disconnected").slice(0, 255),
    };
    const { community: c, household: h } = this.config.hub;
    await this.mqttClient?.publishAsync(topics.bridgeState(c, h), JSON.stringify(state), { retain: true, qos: 1 });
    this.emit({ type: "published", state });
    return state;
  }

  /**
   * Stops the bridge. The devices go back to their own control first (each device's
   * `onExit`: boiler to its thermostat, battery idle, EV charging), while Home Assistant is
   * still connected; then the rest closes.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.ha.onStates = undefined;
    await this.running;
    try {
      await this.loop.stop({ handBack: true });
    } catch (error) {
      this.emit({ type: "error", error });
    }
    await this.feed?.close().catch(() => undefined);
    if (this.mqttClient) {
      const { community: c, household: h } = this.config.hub;
      const client = this.mqttClient;
      // offline, said cleanly; a broker that does not take it in time (away, or the login
      // refused) gets a dropped connection instead, which makes it publish the last will: offline
      const said = await within(
        MQTT_GOODBYE_MS,
        client.publishAsync(topics.bridgeAvailability(c, h), "offline", { retain: true, qos: 1 }),
      );
      await within(MQTT_GOODBYE_MS, said ? client.endAsync() : client.endAsync(true));
      if (!said) client.stream?.destroy();
    }
    this.ha.close();
  }
}

/** How long stopping waits for the broker to take the bridge's goodbye. */
const MQTT_GOODBYE_MS = 3_000;

/** Whether `p` settled well within `ms` (false when it failed or took longer). */
async function within(ms: number, p: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function unitFits(unit: unknown, expected: ExpectedUnit): boolean {
  if (unit === undefined || unit === null || unit === "") return expected.optional === true;
  return expected.units.includes(String(unit));
}

/**
 * The household's absolute price limits from the hub's standing preference: null when it has
 * none yet, undefined when the hub cannot say (away).
 */
async function limitsOnHub(rest: HubRest): Promise<PriceLimits | null | undefined> {
  try {
    const p = (await rest.preferences()).find((x) => x.commodity === "electricity");
    if (!p) return null;
    return {
      ...(p.maxBuyPrice !== null ? { maxBuyPrice: p.maxBuyPrice } : {}),
      ...(p.minSellPrice !== null ? { minSellPrice: p.minSellPrice } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * The limits as the hub's standing preference (a relative buy limit stays the bridge's own);
 * whether the hub has them now (false: it was away or refused, so they wait).
 */
async function putLimits(rest: HubRest, limits: PriceLimits): Promise<boolean> {
  const max = typeof limits.maxBuyPrice === "number" ? limits.maxBuyPrice : null;
  const min = limits.minSellPrice ?? null;
  if (max === null && min === null) return true;
  return rest.setPreference({ commodity: "electricity", maxBuyPrice: max, minSellPrice: min }).then(
    () => true,
    () => false,
  );
}

function sameLimits(a: PriceLimits, b: PriceLimits): boolean {
  return a.maxBuyPrice === b.maxBuyPrice && a.minSellPrice === b.minSellPrice;
}

function readLimits(c: BridgeConfig): PriceLimits | null {
  try {
    return JSON.parse(readFileSync(join(c.stateDir, "limits.json"), "utf8")) as PriceLimits;
  } catch {
    return null;
  }
}
