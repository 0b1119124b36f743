import {
  type Commodity,
  HouseholdTrades,
  HubStatus,
  isHouseholdToken,
  KpiSignal,
  PriceSignal,
  parseTopic,
  SlotResult,
  topics,
} from "@openlem/protocol";
import mqtt, { type MqttClient } from "mqtt";
import type { HubRest } from "./rest.js";

/**
 * `refused`: the broker refused the login (a revoked or mistyped device token). A household
 * token does not mend itself, so the feed stops trying; a person's access token is refreshed
 * and tried again.
 */
export type ConnectionState = "connected" | "reconnecting" | "offline" | "refused";

export interface LiveHandlers {
  /** Each cleared slot once, in slot order; after a reconnect the missed ones come first (over REST). */
  result?(r: SlotResult): void;
  price?(p: PriceSignal): void;
  /** This household's own fills per slot. */
  trades?(t: HouseholdTrades): void;
  kpis?(k: KpiSignal): void;
  status?(s: HubStatus): void;
  connection?(state: ConnectionState): void;
  /** A message that did not match its schema, or a failed catch-up. */
  error?(err: unknown): void;
}

export interface LiveOptions {
  /** The broker; default: the hub's embedded broker over WebSocket at <hub url>/mqtt. */
  mqttUrl?: string;
  commodities?: Commodity[];
  /** Wait between reconnect attempts (ms); default 1000. */
  reconnectPeriodMs?: number;
}

/** ws(s)://host:port/mqtt for the hub at http(s)://host:port. */
export function defaultMqttUrl(hubUrl: string): string {
  const u = new URL(hubUrl);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  u.pathname = "/mqtt";
  return u.toString();
}

/**
 * Live market data for one household: results, prices, KPIs, hub status and its own trades,
 * over MQTT. mqtt.js reconnects and resubscribes by itself; on every reconnect the feed asks
 * the hub over REST for the results cleared while it was away, so none is missed, and
 * delivers each slot's result once.
 */
export class LiveFeed {
  private readonly lastSlot = new Map<Commodity, number>();
  private connectedOnce = false;
  /** Live results that arrive while a catch-up runs wait here, so that none jumps the queue. */
  private held: SlotResult[] | undefined;

  private constructor(
    private readonly rest: HubRest,
    private readonly handlers: LiveHandlers,
    private readonly client: MqttClient,
    private readonly commodities: Commodity[],
  ) {}

  static async start(rest: HubRest, handlers: LiveHandlers, options: LiveOptions = {}): Promise<LiveFeed> {
    const { communityId, householdId } = rest.options;
    const commodities = options.commodities ?? ["electricity"];
    // the first connection fails at once rather than retrying for ever (a hub whose broker is
    // elsewhere has no /mqtt, and a caller's start must not hang on it); after it, reconnects
    const client = await mqtt.connectAsync(
      options.mqttUrl ?? defaultMqttUrl(rest.options.url),
      {
        username: householdId,
        password: await rest.token(),
        reconnectPeriod: options.reconnectPeriodMs ?? 1000,
        connectTimeout: 10_000,
        resubscribe: true,
      },
      false,
    );
    const feed = new LiveFeed(rest, handlers, client, commodities);
    client.on("message", (topic, payload) => feed.onMessage(topic, payload));
    client.on("connect", () => void feed.onConnect());
    let refused = false;
    client.on("reconnect", () => {
      if (!refused) handlers.connection?.("reconnecting");
    });
    client.on("offline", () => {
      if (!refused) handlers.connection?.("offline");
    });
    // CONNACK 4 (bad user name or password) or 5 (not authorized)
    client.on("error", (err) => {
      const code = (err as { code?: unknown }).code;
      if (code !== 4 && code !== 5) return;
      handlers.connection?.("refused");
      if (isHouseholdToken(String(client.options.password ?? ""))) {
        refused = true;
        client.end(true);
      }
    });
    // A person's access token may have expired while away: the reconnect uses a fresh one.
    client.on("close", () => {
      rest.freshToken().then(
        (t) => {
          client.options.password = t;
        },
        () => undefined,
      );
    });
    const subscriptions = [
      topics.status(communityId),
      topics.kpis(communityId),
      topics.trades(communityId, householdId),
      ...commodities.flatMap((c) => [topics.latestResult(communityId, c), topics.price(communityId, c)]),
    ];
    await client.subscribeAsync(subscriptions, { qos: 1 });
    await feed.onConnect();
    return feed;
  }

  private async onConnect(): Promise<void> {
    this.handlers.connection?.("connected");
    if (!this.connectedOnce) {
      this.connectedOnce = true;
      return;
    }
    // Back after a break: fetch what cleared meanwhile, oldest first, then what arrived live.
    this.held = [];
    for (const commodity of this.commodities) {
      const last = this.lastSlot.get(commodity);
      if (last === undefined) continue;
      try {
        const missed = await this.rest.results({ commodity, from: new Date(last + 1).toISOString() });
        for (const r of missed) this.deliver(r);
      } catch (err) {
        this.handlers.error?.(err);
      }
    }
    const held = this.held.sort((a, b) => Date.parse(a.slot) - Date.parse(b.slot));
    this.held = undefined;
    for (const r of held) this.deliver(r);
  }

  private onResult(r: SlotResult): void {
    if (this.held) this.held.push(r);
    else this.deliver(r);
  }

  private deliver(r: SlotResult): void {
    const t = Date.parse(r.slot);
    const last = this.lastSlot.get(r.commodity);
    if (last !== undefined && t <= last) return;
    this.lastSlot.set(r.commodity, t);
    this.handlers.result?.(r);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t || payload.length === 0) return;
    try {
      const json: unknown = JSON.parse(payload.toString("utf8"));
      switch (t.kind) {
        case "result":
          this.onResult(SlotResult.parse(json));
          break;
        case "price":
          this.handlers.price?.(PriceSignal.parse(json));
          break;
        case "trades":
          this.handlers.trades?.(HouseholdTrades.parse(json));
          break;
        case "kpis":
          this.handlers.kpis?.(KpiSignal.parse(json));
          break;
        case "status":
          this.handlers.status?.(HubStatus.parse(json));
          break;
        default:
          break;
      }
    } catch (err) {
      this.handlers.error?.(err);
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
