import {
  type Commodity,
  type CommunityId,
  communityDiscovery,
  type HouseholdTrades,
  type HubStatus,
  parseTopic,
  slotStartMs,
  storedCommunityId,
  topics,
} from "@openlem/protocol";
import mqtt, { type MqttClient } from "mqtt";
import type { HubContext } from "../context.js";
import type { ClearedSlot } from "../services/clearing.js";
import { getCommunity, listCommunities } from "../services/communities.js";
import { markPublished, unpublishedClearings } from "../services/outbox.js";
import { latestResults } from "../services/results.js";
import { HA_STATUS_TOPIC } from "./access.js";
import { takeSubmission } from "./intake.js";
import { kpiSignalOf, priceSignalNow } from "./signals.js";

export interface MqttConnection {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /**
   * An external broker that several hub replicas may share: submissions come through a shared
   * subscription (`$share/openlem-hub/…`), so each is handled, and answered, by one replica.
   */
  shared?: boolean;
}

/** The group name the hub replicas share their subscription under. */
export const SHARE_GROUP = "openlem-hub";
// subscription filters: every community's and household's topics, built by topics.ts with wildcards
const SUBMISSIONS = [topics.orders("+", "+"), topics.readings("+", "+")];
const STATUSES = topics.status("+");

const OFFLINE: HubStatus = { state: "offline" };

/** How long a stopping hub waits for the broker to take its "offline" and what is in flight. */
const CLOSE_WAIT_MS = 2_000;
const withinCloseWait = (p: Promise<unknown>) =>
  Promise.race([p, new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]).catch(() => undefined);
/** Flushes what is in flight when the broker is there; drops it when it is not. */
async function endClient(client: MqttClient): Promise<void> {
  if (client.connected) await withinCloseWait(client.endAsync());
  if (!client.disconnected) await client.endAsync(true);
}

/**
 * The hub's side of MQTT, the same against the embedded broker and an external one. Each
 * community has its own connection whose last will marks that community's hub status
 * offline; results and prices are retained; trades go to each household's private topic.
 * Devices submit orders on their household's topic and get an answer on its ack topic.
 */
export class HubMqtt {
  private readonly communities = new Map<CommunityId, Promise<MqttClient>>();
  /** The slot each community's price state was last published for (it follows the slot under way). */
  private readonly priceSlot = new Map<string, number>();
  private inbound: MqttClient | undefined;
  private closing = false;
  private reannouncing: Promise<void> | null = null;
  private reannounceAgain = false;
  /** Home Assistant's "online"s taken, and the discovery rounds they brought (for the metrics and tests). */
  haOnlines = 0;
  discoveryRounds = 0;
  /** Clearings being published now, which the outbox leaves alone. */
  private readonly publishing = new Set<string>();

  private constructor(
    private readonly ctx: HubContext,
    private readonly conn: MqttConnection,
    private readonly version: string,
    private readonly onError: (err: unknown, what: string) => void,
  ) {}

  static async start(
    ctx: HubContext,
    conn: MqttConnection,
    version: string,
    onError: (err: unknown, what: string) => void = () => undefined,
  ): Promise<HubMqtt> {
    const hub = new HubMqtt(ctx, conn, version, onError);
    hub.inbound = await hub.connect("inbound");
    hub.inbound.on("message", (topic, payload) => {
      // Home Assistant (re)started: it needs every discovery config again, as HA documents
      if (topic === HA_STATUS_TOPIC) {
        if (payload.toString() === "online") {
          hub.haOnlines++;
          hub.reannounceSoon();
        }
        return;
      }
      const t = parseTopic(topic);
      if (t?.kind === "status") return void hub.onStatus(storedCommunityId(t.community), payload);
      void hub.onSubmission(topic, payload);
    });
    const submissions = conn.shared ? SUBMISSIONS.map((f) => `$share/${SHARE_GROUP}/${f}`) : SUBMISSIONS;
    await hub.inbound.subscribeAsync([...submissions, HA_STATUS_TOPIC, STATUSES], { qos: 1 });
    for (const c of await listCommunities(ctx.db)) await hub.community(c.id);
    await hub.publishMissed().catch((err) => onError(err, "sending clearings not published before"));
    return hub;
  }

  private async connect(role: string, will?: { topic: string; payload: string }): Promise<MqttClient> {
    return mqtt.connectAsync(this.conn.url, {
      clientId: `openlem-hub-${role}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      username: this.conn.username,
      password: this.conn.password,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(will ? { will: { topic: will.topic, payload: Buffer.from(will.payload), retain: true, qos: 1 } } : {}),
    });
  }

  /** The community's connection: opened once, announcing the hub online (retained) with an offline will. */
  community(communityId: CommunityId): Promise<MqttClient> {
    let c = this.communities.get(communityId);
    if (!c) {
      c = (async () => {
        const client = await this.connect(communityId, {
          topic: topics.status(communityId),
          payload: JSON.stringify(OFFLINE),
        });
        const announce = () => {
          const online: HubStatus = { state: "online", version: this.version, at: this.ctx.now().toISOString() };
          return client.publishAsync(topics.status(communityId), JSON.stringify(online), { retain: true, qos: 1 });
        };
        // After a reconnect the broker has published the last will, and a broker that restarted
        // without persistence has lost every retained message: say it all again.
        let first = true;
        client.on("connect", () => {
          if (first) return;
          void this.announceAll(client, communityId, announce).catch((err) => this.onError(err, "re-announcing"));
        });
        await this.announceAll(client, communityId, announce);
        first = false;
        return client;
      })();
      this.communities.set(communityId, c);
    }
    return c;
  }

  /**
   * Status, discovery, the price, today's KPIs and the latest results: what a fresh broker or
   * Home Assistant needs from the first minute.
   */
  private async announceAll(
    client: MqttClient,
    communityId: CommunityId,
    announce: () => Promise<unknown>,
  ): Promise<void> {
    await announce();
    await this.publishDiscovery(client, communityId);
    await this.publishPrice(client, communityId, "electricity");
    await this.publishKpis(client, communityId, this.ctx.now().toISOString());
    // the latest result per commodity, which a broker restarted without persistence has lost
    for (const r of await latestResults(this.ctx.db, communityId))
      await client.publishAsync(topics.latestResult(communityId, r.commodity), JSON.stringify(r), {
        retain: true,
        qos: 1,
      });
  }

  /**
   * Home Assistant said it is online: every community's discovery again. A burst of "online"s
   * (several Home Assistants starting, or someone repeating it) sends it once more at most.
   */
  /** Resolves once the discovery asked for so far has gone out. */
  async rediscovered(): Promise<void> {
    while (this.reannouncing) await this.reannouncing;
  }

  private reannounceSoon(): void {
    if (this.reannouncing) {
      this.reannounceAgain = true;
      return;
    }
    this.reannouncing = (async () => {
      do {
        this.reannounceAgain = false;
        this.discoveryRounds++;
        for (const [communityId, c] of this.communities) await this.publishDiscovery(await c, communityId);
      } while (this.reannounceAgain);
    })()
      .catch((err) => this.onError(err, "re-sending discovery"))
      .finally(() => {
        this.reannouncing = null;
      });
  }

  /**
   * Called as the hub's clock goes on: the price state follows the slot under way, so each
   * community's price is published again when a new slot starts.
   */
  async slotTick(now: Date): Promise<void> {
    for (const c of await listCommunities(this.ctx.db)) {
      const current = slotStartMs(now.getTime(), c.market.slotMinutes);
      if (this.priceSlot.get(c.id) === current) continue;
      await this.publishPrice(await this.community(c.id), c.id, "electricity");
    }
  }

  /** Publishes a cleared slot: public result and price (retained), each household's fills (private). */
  /**
   * Publishes a clearing and marks it published (its row is the outbox entry). Each household
   * gets its trades at least once: after a crash between the two, they come again.
   */
  async publishCleared(communityId: CommunityId, cleared: ClearedSlot): Promise<void> {
    const key = `${communityId}|${cleared.result.slot}|${cleared.result.commodity}`;
    this.publishing.add(key);
    try {
      await this.sendCleared(communityId, cleared);
      await markPublished(this.ctx.db, cleared, this.ctx.wallNow());
    } finally {
      this.publishing.delete(key);
    }
  }

  /** Sends what a stopped or failed hub process committed but did not publish (the outbox). */
  async publishMissed(): Promise<number> {
    let sent = 0;
    for (const cleared of await unpublishedClearings(this.ctx.db)) {
      const { communityId, slot, commodity } = cleared.result;
      if (this.publishing.has(`${communityId}|${slot}|${commodity}`)) continue;
      await this.publishCleared(communityId, cleared);
      sent++;
    }
    return sent;
  }

  private async sendCleared(communityId: CommunityId, cleared: ClearedSlot): Promise<void> {
    const client = await this.community(communityId);
    const r = cleared.result;
    const body = JSON.stringify(r);
    await client.publishAsync(topics.result(communityId, r.commodity, r.slot), body, { retain: true, qos: 1 });
    await client.publishAsync(topics.latestResult(communityId, r.commodity), body, { retain: true, qos: 1 });
    await this.publishPrice(client, communityId, r.commodity);
    for (const [householdId, fills] of cleared.fillsByHousehold) {
      const trades: HouseholdTrades = { communityId, householdId: householdId, slot: r.slot, fills };
      await client.publishAsync(topics.trades(communityId, householdId), JSON.stringify(trades), { qos: 1 });
    }
    // The day's KPIs are a derived aggregate: they follow the slot's own messages, off its critical path.
    this.publishKpis(client, communityId, r.slot).catch((err) => this.onError(err, "publishing KPIs"));
  }

  /** The price of the slot under way and the forecast to the end of tomorrow (see priceSignalAt), retained. */
  private async publishPrice(client: MqttClient, communityId: CommunityId, commodity: Commodity): Promise<void> {
    const signal = await priceSignalNow(this.ctx, communityId, commodity);
    await client.publishAsync(topics.price(communityId, commodity), JSON.stringify(signal), { retain: true, qos: 1 });
    if (commodity === "electricity") this.priceSlot.set(communityId, Date.parse(signal.slot));
  }

  /** Today's KPIs (the community's local day of the slot), retained. */
  private async publishKpis(client: MqttClient, communityId: CommunityId, slot: string): Promise<void> {
    const signal = await kpiSignalOf(this.ctx, communityId, slot);
    await client.publishAsync(topics.kpis(communityId), JSON.stringify(signal), { retain: true, qos: 1 });
  }

  /**
   * Home Assistant MQTT discovery for the community sensors: the price (forecast as an
   * attribute), self-sufficiency and local trade share, all unavailable when the hub is offline.
   */
  private async publishDiscovery(client: MqttClient, communityId: CommunityId): Promise<void> {
    const { name, market } = await getCommunity(this.ctx.db, communityId);
    for (const { topic, config } of communityDiscovery(communityId, name, market)) {
      await client.publishAsync(topic, JSON.stringify(config), { retain: true, qos: 1 });
    }
  }

  /**
   * Another replica's last will (or its clean stop) marked a community offline that this
   * replica still serves: say online again at once, so one replica going away does not take
   * the community offline for everyone.
   */
  private async onStatus(communityId: CommunityId, payload: Buffer): Promise<void> {
    if (this.closing || !payload.toString().includes('"offline"')) return;
    const client = await this.communities.get(communityId)?.catch(() => undefined);
    if (!client?.connected) return;
    const online: HubStatus = { state: "online", version: this.version, at: this.ctx.now().toISOString() };
    await client
      .publishAsync(topics.status(communityId), JSON.stringify(online), { retain: true, qos: 1 })
      .catch((err) => this.onError(err, "re-announcing online"));
  }

  /** A device's orders or readings (see intake.ts), answered on its household's ack topic. */
  private async onSubmission(topic: string, payload: Buffer): Promise<void> {
    const taken = await takeSubmission(this.ctx, topic, payload);
    if (!taken) return;
    await this.inbound?.publishAsync(topics.acks(taken.community, taken.household), JSON.stringify(taken.ack), {
      qos: 1,
    });
  }

  /**
   * Marks every community offline (retained) where the broker is there to hear it, and
   * disconnects: a clean stop sends no will. A broker that is away is not waited for (at most
   * CLOSE_WAIT_MS), since a stop must not hang on it.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const [communityId, c] of this.communities) {
      const client = await c.catch(() => undefined);
      if (!client) continue;
      if (client.connected)
        await withinCloseWait(
          client.publishAsync(topics.status(communityId), JSON.stringify(OFFLINE), { retain: true, qos: 1 }),
        );
      await endClient(client);
    }
    if (this.inbound) await endClient(this.inbound);
  }
}
