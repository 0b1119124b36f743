import {
  CommunityId,
  communityEntities,
  DeviceToken,
  DeviceTokenCreated,
  discoveryTopic,
  HouseholdTrades,
  householdEntities,
  KpiSignal,
  Me,
  MeterRegistered,
  PriceSignal,
  SlotResult,
  SubmissionAck,
  TokenPair,
  topics,
} from "@openlem/protocol";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { configFromEnv } from "../src/config.js";
import { type RunningHub, startHub } from "../src/hub.js";
import { TestClock } from "./hub.js";

const OP = { email: "op@example.org", password: "operator password" };
const SLOT = "2026-06-21T10:15:00.000Z";

/** A whole hub (HTTP, broker, scheduler off) on ephemeral ports with an in-memory database. */
function useRunningHub(mqttUrl?: string) {
  const clock = new TestClock(Date.parse("2026-06-21T09:00:00Z"));
  const wall = new TestClock(Date.now());
  let hub: RunningHub | undefined;
  const clients: MqttClient[] = [];
  beforeAll(async () => {
    const config = configFromEnv(
      {},
      { port: 0, mqttPort: 0, dataDir: "memory://", logLevel: "silent", ...(mqttUrl ? { mqttUrl } : {}) },
    );
    // the broker re-checks every session's token often here, so a moved wall clock shows at once
    hub = await startHub({ config, now: clock.now, wallNow: wall.now, operator: OP, tickMs: 0, mqttRecheckMs: 100 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await hub?.close();
  });
  const h = () => {
    if (!hub) throw new Error("hub not started");
    return hub;
  };
  async function api(method: string, path: string, token?: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${h().url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return res.status === 204 ? null : res.json();
  }
  async function connect(options: mqtt.IClientOptions = {}, url = h().mqttUrl): Promise<MqttClient> {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    clients.push(c);
    return c;
  }
  /** A household with a linked member and a device token; returns both tokens. */
  async function household(community: string, householdId: string) {
    const op = TokenPair.parse(await api("POST", "/api/auth/login", undefined, OP)).accessToken;
    const meter = MeterRegistered.parse(
      await api("POST", `/api/communities/${community}/meters`, op, {
        meterId: `m-${community}-${householdId}`,
        householdId,
      }),
    );
    const creds = { email: `${community}-${householdId}@example.org`, password: "member password" };
    const member = TokenPair.parse(await api("POST", "/api/auth/register", undefined, creds)).accessToken;
    await api("POST", "/api/meters/link", member, { meterId: meter.meterId, pin: meter.pin });
    expect(Me.parse(await api("GET", "/api/me", member))).toMatchObject({ role: "participant" });
    const device = DeviceTokenCreated.parse(
      await api("POST", `/api/communities/${community}/households/${householdId}/device-tokens`, member, {
        name: "test",
      }),
    );
    return { member, device: device.token };
  }
  async function community(id: string) {
    const op = TokenPair.parse(await api("POST", "/api/auth/login", undefined, OP)).accessToken;
    await api("POST", "/api/communities", op, {
      id,
      name: id,
      market: { timeZone: "Europe/Amsterdam", retailPrice: 0.22, feedInTariff: 0.09, priceFloor: 0, priceCap: 0.5 },
    });
    return op;
  }
  return { h, clock, wall, api, connect, household, community };
}

/** Collects messages by topic. */
function collect(c: MqttClient): Map<string, string[]> {
  const got = new Map<string, string[]>();
  c.on("message", (topic, payload) => got.set(topic, [...(got.get(topic) ?? []), payload.toString()]));
  return got;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting for MQTT messages");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("MQTT with the embedded broker", () => {
  const t = useRunningHub();
  let alice = { member: "", device: "" };
  let bob = { member: "", device: "" };
  let op = "";

  it("announces the hub online, retained, with Home Assistant discovery for the price", async () => {
    op = await t.community("mq");
    alice = await t.household("mq", "alice");
    bob = await t.household("mq", "bob");
    const anon = await t.connect();
    const got = collect(anon);
    await anon.subscribeAsync(["openlem/mq/status", "homeassistant/#"]);
    await until(
      () =>
        got.has("openlem/mq/status") &&
        got.has("homeassistant/sensor/openlem_mq_price/config") &&
        got.has("homeassistant/sensor/openlem_mq_local_trade_share/config"),
    );
    expect(JSON.parse(got.get("homeassistant/sensor/openlem_mq_self_sufficiency/config")?.[0] ?? "{}")).toMatchObject({
      default_entity_id: "sensor.openlem_mq_self_sufficiency",
      state_topic: "openlem/mq/kpis",
      unit_of_measurement: "%",
    });
    expect(JSON.parse(got.get("openlem/mq/status")?.[0] ?? "{}")).toMatchObject({ state: "online" });
    const discovery = JSON.parse(got.get("homeassistant/sensor/openlem_mq_price/config")?.[0] ?? "{}");
    expect(discovery).toMatchObject({
      default_entity_id: "sensor.openlem_mq_price",
      state_topic: "openlem/mq/price/electricity",
    });
  });

  it("takes a device's orders on its own topic and answers on its ack topic", async () => {
    const dev = await t.connect({ username: "alice-device", password: alice.device });
    const got = collect(dev);
    await dev.subscribeAsync(topics.acks("mq", "alice"), { qos: 1 });
    const batch = { orders: [{ clientOrderId: "a1", side: "buy", slot: SLOT, energyWh: 1000, limitPrice: 0.2 }] };
    await dev.publishAsync(topics.orders("mq", "alice"), JSON.stringify(batch), { qos: 1 });
    await until(() => got.has(topics.acks("mq", "alice")));
    expect(SubmissionAck.parse(JSON.parse(got.get(topics.acks("mq", "alice"))?.[0] ?? ""))).toEqual({
      kind: "orders",
      ok: true,
      accepted: 1,
      errors: [],
    });
    const bad = { orders: [{ clientOrderId: "a2", side: "buy", slot: SLOT, energyWh: 1000, limitPrice: 0.123456 }] };
    await dev.publishAsync(topics.orders("mq", "alice"), JSON.stringify(bad), { qos: 1 });
    await until(() => (got.get(topics.acks("mq", "alice"))?.length ?? 0) >= 2);
    expect(JSON.parse(got.get(topics.acks("mq", "alice"))?.[1] ?? "")).toMatchObject({
      ok: false,
      errors: [
        { field: "orders[0].limitPrice", rule: "must have at most 5 decimal places (the tick is 0.00001 per kWh)" },
      ],
    });
  });

  it("takes a device's meter readings over MQTT", async () => {
    const dev = await t.connect({ username: "alice-device", password: alice.device });
    const got = collect(dev);
    await dev.subscribeAsync(topics.acks("mq", "alice"), { qos: 1 });
    const readings = { readings: [{ meterId: "m-mq-alice", at: SLOT, importWh: 1200, exportWh: 0 }] };
    await dev.publishAsync(topics.readings("mq", "alice"), JSON.stringify(readings), { qos: 1 });
    await until(() => got.has(topics.acks("mq", "alice")));
    expect(SubmissionAck.parse(JSON.parse(got.get(topics.acks("mq", "alice"))?.[0] ?? ""))).toEqual({
      kind: "readings",
      ok: true,
      accepted: 1,
      errors: [],
    });
    // another household's meter on alice's own topic: refused, naming the reading
    await dev.publishAsync(
      topics.readings("mq", "alice"),
      JSON.stringify({ readings: [{ ...readings.readings[0], meterId: "m-mq-bob" }] }),
      {
        qos: 1,
      },
    );
    await until(() => (got.get(topics.acks("mq", "alice"))?.length ?? 0) >= 2);
    expect(JSON.parse(got.get(topics.acks("mq", "alice"))?.[1] ?? "")).toMatchObject({
      ok: false,
      errors: [{ field: "readings[0].meterId", rule: "belongs to a household you may not report for" }],
    });
  });

  it("refuses a device publishing for another household and anonymous publishing", async () => {
    const dev = await t.connect({ username: "alice-device", password: alice.device });
    const closed = new Promise<void>((resolve) => dev.once("close", () => resolve()));
    dev.publish(topics.orders("mq", "bob"), JSON.stringify({ orders: [] }), { qos: 1 });
    await closed; // the broker drops a client that publishes where it may not
    const anon = await t.connect();
    const anonClosed = new Promise<void>((resolve) => anon.once("close", () => resolve()));
    anon.publish(topics.result("mq", "electricity", SLOT), "{}", { qos: 1 });
    await anonClosed;
    const wrong = mqtt.connectAsync(t.h().mqttUrl, { username: "x", password: "not-a-token", reconnectPeriod: 0 });
    await expect(wrong).rejects.toThrow();
  });

  it("ends a session's rights at once when its device token is revoked, its access token expires or its member logs out", async () => {
    const dave = await t.household("mq", "dave");
    const dev = await t.connect({ username: "dave-device", password: dave.device });
    const got = collect(dev);
    await dev.subscribeAsync(["openlem/mq/#", "elsewhere/#"], { qos: 1 });
    const closed = new Promise<void>((resolve) => dev.once("close", () => resolve()));
    const tokens = z
      .array(DeviceToken)
      .parse(await t.api("GET", "/api/communities/mq/households/dave/device-tokens", dave.member));
    await t.api("DELETE", `/api/device-tokens/${tokens[0]?.id}`, dave.member);
    // the revocation ends the open session: no publish is taken, nothing more is delivered
    await closed;
    const before = got.size;
    const bobDevice = await t.connect({ username: "bob-device", password: bob.device });
    await bobDevice.publishAsync("elsewhere/ping", "after the revocation", { qos: 1 });
    expect(got.size).toBe(before);
    // a device connecting again with the revoked token is refused
    await expect(
      mqtt.connectAsync(t.h().mqttUrl, { username: "x", password: dave.device, reconnectPeriod: 0 }),
    ).rejects.toThrow();

    // a member's access token: logging out ends its MQTT session too
    const login = TokenPair.parse(
      await t.api("POST", "/api/auth/login", undefined, { email: "mq-dave@example.org", password: "member password" }),
    );
    const member = await t.connect({ username: "dave", password: login.accessToken });
    const memberClosed = new Promise<void>((resolve) => member.once("close", () => resolve()));
    await t.api("POST", "/api/auth/logout", undefined, { refreshToken: login.refreshToken });
    await memberClosed;

    // and an access token that expires while connected is closed at its expiry, with no message
    // needed to notice it
    const fresh = TokenPair.parse(
      await t.api("POST", "/api/auth/login", undefined, { email: "mq-dave@example.org", password: "member password" }),
    );
    const late = await t.connect({ username: "dave", password: fresh.accessToken });
    const lateGot = collect(late);
    const lateClosed = new Promise<void>((resolve) => late.once("close", () => resolve()));
    await late.subscribeAsync("elsewhere/#", { qos: 1 });
    t.wall.advance(16 * 60_000);
    await lateClosed;
    // back to the time the other tests' tokens were issued in
    t.wall.advance(-16 * 60_000);
    expect(lateGot.size).toBe(0);
  });

  it("keeps the broker's $SYS events from everyone but the operator, and retained messages out of other topics", async () => {
    const anon = await t.connect();
    const got = collect(anon);
    await anon.subscribeAsync("$SYS/#", { qos: 0 });
    const dev = await t.connect({ username: "bob-device", password: bob.device });
    await dev.publishAsync("elsewhere/bob", "relayed", { qos: 1 });
    const watcher = await t.connect({ username: "bob-device", password: bob.device });
    const relayed = collect(watcher);
    await watcher.subscribeAsync("elsewhere/#", { qos: 1 });
    const closed = new Promise<void>((resolve) => dev.once("close", () => resolve()));
    dev.publish("elsewhere/bob", "kept for everyone", { qos: 1, retain: true });
    await closed; // refused: a retained message outside openlem/ and homeassistant/
    const again = await t.connect({ username: "bob-device", password: bob.device });
    const late = collect(again);
    await again.subscribeAsync("elsewhere/#", { qos: 1 });
    // a retained message comes on subscribing, before anything published after: once a marker
    // published now arrives, a retained one would have
    await again.publishAsync("elsewhere/marker", "after the subscription", { qos: 1 });
    await until(() => late.has("elsewhere/marker"));
    expect(late.get("elsewhere/bob")).toBeUndefined();
    expect(relayed.get("elsewhere/bob")).toBeUndefined();
    expect([...got.keys()].filter((k) => k.startsWith("$SYS"))).toEqual([]);
  });

  it("keeps Home Assistant connected: its birth message is taken from anyone and brings the discovery again", async () => {
    const watcher = await t.connect();
    const got = collect(watcher);
    await watcher.subscribeAsync("homeassistant/sensor/+/config", { qos: 1 });
    await until(() => got.has("homeassistant/sensor/openlem_mq_price/config"));
    const before = got.get("homeassistant/sensor/openlem_mq_price/config")?.length ?? 0;
    // Home Assistant connects without credentials and says it is online
    const ha = await t.connect();
    let dropped = false;
    ha.on("close", () => {
      dropped = true;
    });
    await ha.publishAsync("homeassistant/status", "online", { qos: 1 });
    await until(() => (got.get("homeassistant/sensor/openlem_mq_price/config")?.length ?? 0) > before);
    expect(dropped).toBe(false);
    // a burst of "online"s brings the discovery once or twice more, not once per message
    const hubMqtt = t.h().mqtt;
    await hubMqtt.rediscovered();
    const [onlines, rounds] = [hubMqtt.haOnlines, hubMqtt.discoveryRounds];
    await Promise.all(Array.from({ length: 10 }, () => ha.publishAsync("homeassistant/status", "online", { qos: 1 })));
    await until(() => hubMqtt.haOnlines === onlines + 10);
    await hubMqtt.rediscovered();
    expect(hubMqtt.discoveryRounds - rounds).toBeGreaterThanOrEqual(1);
    expect(hubMqtt.discoveryRounds - rounds).toBeLessThanOrEqual(2);
    // an anonymous client may not leave a retained "online" behind for every later client
    const anon = await t.connect();
    const anonClosed = new Promise<void>((resolve) => anon.once("close", () => resolve()));
    anon.publish("homeassistant/status", "online", { qos: 1, retain: true });
    await anonClosed;
    const later = await t.connect();
    const laterGot = collect(later);
    await later.subscribeAsync("homeassistant/status", { qos: 1 });
    await later.subscribeAsync("homeassistant/sensor/openlem_mq_price/config", { qos: 1 });
    await until(() => laterGot.has("homeassistant/sensor/openlem_mq_price/config"));
    expect(laterGot.get("homeassistant/status")).toBeUndefined();
  });

  it("lets a household's device run its bridge there, and only for its own household", async () => {
    const dev = await t.connect({ username: "alice-device", password: alice.device });
    let dropped = false;
    dev.on("close", () => {
      dropped = true;
    });
    await dev.publishAsync(discoveryTopic(householdEntities.costToday("alice")), "{}", { qos: 1, retain: true });
    await dev.publishAsync(topics.bridgeState("mq", "alice"), "{}", { qos: 1, retain: true });
    await dev.publishAsync(topics.bridgeSet("mq", "alice", "max_buy_price"), "0.18", { qos: 1 });
    expect(dropped).toBe(false);
    const closed = new Promise<void>((resolve) => dev.once("close", () => resolve()));
    dev.publish(discoveryTopic(householdEntities.costToday("bob")), "{}", { qos: 1 });
    await closed;
    // nor may anyone announce the community's own entities
    const other = await t.connect({ username: "alice-device", password: alice.device });
    const otherClosed = new Promise<void>((resolve) => other.once("close", () => resolve()));
    other.publish(discoveryTopic(communityEntities.price("mq")), "{}", { qos: 1 });
    await otherClosed;
  });

  it("lets a read-only token read its household's topics and publish nothing but Home Assistant's birth", async () => {
    const member = (await t.household("mq", "carol")).member;
    const ro = DeviceTokenCreated.parse(
      await t.api("POST", "/api/communities/mq/households/carol/device-tokens", member, {
        name: "card",
        scope: "read",
      }),
    );
    expect(ro.token).toMatch(/^olm_read_/);
    const dash = await t.connect({ username: "carol-dashboard", password: ro.token });
    let dropped = false;
    dash.on("close", () => {
      dropped = true;
    });
    await dash.publishAsync("homeassistant/status", "online", { qos: 1 });
    expect(dropped).toBe(false);
    const closed = new Promise<void>((resolve) => dash.once("close", () => resolve()));
    dash.publish(topics.orders("mq", "carol"), JSON.stringify({ orders: [] }), { qos: 1 });
    await closed;
  });

  it("gives Home Assistant a token of its own: the household's entities and their set topics, no orders or readings", async () => {
    const member = (await t.household("mq", "erin")).member;
    const made = DeviceTokenCreated.parse(
      await t.api("POST", "/api/communities/mq/households/erin/device-tokens", member, {
        name: "Home Assistant",
        scope: "home-assistant",
      }),
    );
    expect(made.token).toMatch(/^olm_ha_/);
    const ha = await t.connect({ username: "erin", password: made.token });
    let dropped = false;
    ha.on("close", () => {
      dropped = true;
    });
    await ha.publishAsync("homeassistant/status", "online", { qos: 1 });
    await ha.publishAsync(topics.bridgeSet("mq", "erin", "max_buy_price"), "0.18", { qos: 1 });
    await ha.publishAsync(topics.bridgeState("mq", "erin"), "{}", { qos: 1, retain: true });
    await ha.publishAsync(topics.bridgeAvailability("mq", "erin"), "online", { qos: 1, retain: true });
    await ha.publishAsync(discoveryTopic(householdEntities.costToday("erin")), "{}", { qos: 1, retain: true });
    expect(dropped).toBe(false);
    for (const topic of [topics.orders("mq", "erin"), topics.readings("mq", "erin"), topics.bridgeState("mq", "bob")]) {
      const c = await t.connect({ username: "erin", password: made.token });
      const closed = new Promise<void>((resolve) => c.once("close", () => resolve()));
      c.publish(topic, JSON.stringify({ orders: [] }), { qos: 1 });
      await closed;
    }
    // over REST it reads, and changes nothing
    const res = await fetch(`${t.h().url}/api/communities/mq/households/erin/preferences`, {
      method: "PUT",
      headers: { authorization: `Bearer ${made.token}`, "content-type": "application/json" },
      body: JSON.stringify({ maxBuyPrice: 0.1 }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/Home Assistant token may only read over REST/);
  });

  it("sends a bridge's last will of offline when its token is revoked, so Home Assistant stops showing it live", async () => {
    const frank = await t.household("mq", "frank");
    const watcher = await t.connect({ username: "frank-watch", password: frank.member });
    const got = collect(watcher);
    const avail = topics.bridgeAvailability("mq", "frank");
    await watcher.subscribeAsync(avail, { qos: 1 });
    const bridge = await t.connect({
      username: "frank",
      password: frank.device,
      will: { topic: avail, payload: Buffer.from("offline"), retain: true, qos: 1 },
    });
    await bridge.publishAsync(avail, "online", { qos: 1, retain: true });
    await until(() => got.get(avail)?.at(-1) === "online");
    const tokens = z
      .array(DeviceToken)
      .parse(await t.api("GET", "/api/communities/mq/households/frank/device-tokens", frank.member));
    await t.api("DELETE", `/api/device-tokens/${tokens[0]?.id}`, frank.member);
    await until(() => got.get(avail)?.at(-1) === "offline");
    // retained: Home Assistant connecting later sees it offline too
    const later = await t.connect({ username: "frank-watch", password: frank.member });
    const seen = collect(later);
    await later.subscribeAsync(avail, { qos: 1 });
    await until(() => seen.get(avail)?.at(-1) === "offline");
  });

  it("publishes the cleared slot to everyone and each household's trades only to it", async () => {
    const bobDev = await t.connect({ username: "bob-device", password: bob.device });
    await t.api("POST", "/api/communities/mq/households/bob/orders", bob.member, {
      clientOrderId: "b1",
      side: "sell",
      slot: SLOT,
      energyWh: 600,
      limitPrice: 0.1,
      source: "pv",
    });
    const anon = await t.connect();
    const pub = collect(anon);
    await anon.subscribeAsync("openlem/#", { qos: 1 });
    const aliceMember = await t.connect({ username: "alice", password: alice.member });
    const aliceGot = collect(aliceMember);
    await aliceMember.subscribeAsync("openlem/mq/households/+/trades", { qos: 1 });
    const bobGot = collect(bobDev);
    await bobDev.subscribeAsync(topics.trades("mq", "bob"), { qos: 1 });

    t.clock.set("2026-06-21T10:11:00Z");
    const op2 = TokenPair.parse(await t.api("POST", "/api/auth/login", undefined, OP)).accessToken;
    const result = SlotResult.parse(await t.api("POST", "/api/communities/mq/clearings", op2, { slot: SLOT }));
    expect(result.localWh).toBe(600);
    await until(() => pub.has(topics.latestResult("mq", "electricity")) && aliceGot.size > 0 && bobGot.size > 0);
    expect(SlotResult.parse(JSON.parse(pub.get(topics.result("mq", "electricity", SLOT))?.[0] ?? ""))).toEqual(result);
    // the price's state is the slot under way (10:00, not cleared: forecast); the cleared slot
    // stands in the forecast, which runs to the end of tomorrow without a hole
    await until(() => (pub.get(topics.price("mq", "electricity")) ?? []).some((m) => m.includes('"cleared"')));
    const price = PriceSignal.parse(JSON.parse(pub.get(topics.price("mq", "electricity"))?.at(-1) ?? ""));
    expect(price).toMatchObject({ slot: "2026-06-21T10:00:00.000Z", kind: "forecast" });
    // alice is rationed (1,000 Wh wanted, 600 offered): the price is her bid
    expect(price.forecast.find((f) => f.start === SLOT)).toEqual({ start: SLOT, value: 0.2, kind: "cleared" });
    const starts = price.forecast.map((f) => Date.parse(f.start));
    for (let i = 1; i < starts.length; i++) expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBe(15 * 60_000);
    // to local midnight at the end of tomorrow (Amsterdam, summer time: 22:00 UTC)
    expect(price.forecast.at(-1)?.start).toBe("2026-06-22T21:45:00.000Z");
    const metrics = await (await fetch(`${t.h().url}/metrics`)).text();
    expect(metrics).toContain('openlem_clearings_total{community="mq",commodity="electricity",trigger="operator"} 1');
    expect(metrics).toMatch(/openlem_orders_accepted_total\{community="mq",channel="mqtt"\} 1/);
    expect(metrics).toMatch(
      /openlem_http_request_duration_seconds_count\{method="POST",route="\/api\/communities\/:communityId\/clearings",status="201"\} 1/,
    );
    // the KPIs were retained from the start (nothing traded); the clearing brings them up to date
    const kpiMessages = () => (pub.get(topics.kpis("mq")) ?? []).map((m) => KpiSignal.parse(JSON.parse(m)));
    expect(kpiMessages()[0]?.kpis.localTradedWh ?? 0).toBe(0);
    await until(() => kpiMessages().length >= 2);
    const kpis = kpiMessages().at(-1) as KpiSignal;
    expect(kpis).toMatchObject({ period: { kind: "day", start: "2026-06-21" } });
    expect(kpis.kpis.localTradedWh).toBe(600);
    // the anonymous wildcard subscriber sees no private topic
    expect([...pub.keys()].filter((k) => k.includes("/trades") || k.includes("/acks"))).toEqual([]);
    // alice's wildcard sees her own trades only
    expect([...aliceGot.keys()]).toEqual([topics.trades("mq", "alice")]);
    const bobTrades = HouseholdTrades.parse(JSON.parse(bobGot.get(topics.trades("mq", "bob"))?.[0] ?? ""));
    expect(bobTrades.fills).toEqual([expect.objectContaining({ side: "sell", energyWh: 600, price: 0.2 })]);
    expect(op).not.toBe("");
  });

  it("marks the community offline through the last will when the hub's connection drops, and online again after", async () => {
    const watcher = await t.connect();
    const got = collect(watcher);
    const discovery = "homeassistant/sensor/openlem_mq_price/config";
    const latest = topics.latestResult("mq", "electricity");
    await watcher.subscribeAsync([topics.status("mq"), discovery, latest], { qos: 1 });
    await until(() => got.has(topics.status("mq")) && got.has(discovery) && got.has(latest));
    const hubClient = await t.h().mqtt.community(CommunityId.parse("mq"));
    hubClient.stream.destroy(); // as if the hub crashed: no clean disconnect
    const states = () => (got.get(topics.status("mq")) ?? []).map((m) => (JSON.parse(m) as { state: string }).state);
    await until(() => states().includes("offline"));
    await until(() => states().lastIndexOf("online") > states().indexOf("offline"), 10_000);
    // a broker that restarted has lost its retained messages: the discovery and the latest
    // result come again, not only at the next clearing
    await until(() => (got.get(discovery)?.length ?? 0) >= 2, 10_000);
    await until(() => (got.get(latest)?.length ?? 0) >= 2, 10_000);
    expect(got.get(latest)?.at(-1)).toBe(got.get(latest)?.[0]);
  });

  it("speaks MQTT over WebSocket at /mqtt on the HTTP port", async () => {
    const ws = await t.connect({}, `${t.h().url.replace("http", "ws")}/mqtt`);
    const got = collect(ws);
    await ws.subscribeAsync("openlem/mq/status");
    await until(() => got.has("openlem/mq/status"));
  });
});

describeWithRealService("mqtt", "MQTT with an external broker", (url) => {
  const t = useRunningHub(url);
  const community = `ext${Date.now().toString(36)}`;

  it("publishes results and status to the external broker and takes orders from it", async () => {
    await t.community(community);
    const alice = await t.household(community, "alice");
    await t.household(community, "bob");
    const sub = await t.connect({}, url);
    const got = collect(sub);
    await sub.subscribeAsync(`openlem/${community}/#`, { qos: 1 });
    await until(() => got.has(topics.status(community)));
    // the device submits over the external broker
    await sub.subscribeAsync(topics.acks(community, "alice"), { qos: 1 });
    // above retail: with no local seller the utility serves it, so alice gets a fill
    const batch = { orders: [{ clientOrderId: "a1", side: "buy", slot: SLOT, energyWh: 800, limitPrice: 0.3 }] };
    await sub.publishAsync(topics.orders(community, "alice"), JSON.stringify(batch), { qos: 1 });
    await until(() => got.has(topics.acks(community, "alice")));
    expect(JSON.parse(got.get(topics.acks(community, "alice"))?.[0] ?? "")).toMatchObject({ ok: true, accepted: 1 });
    expect(alice.member).not.toBe("");
    t.clock.set("2026-06-21T10:11:00Z");
    const op = TokenPair.parse(await t.api("POST", "/api/auth/login", undefined, OP)).accessToken;
    await t.api("POST", `/api/communities/${community}/clearings`, op, { slot: SLOT });
    await until(
      () => got.has(topics.latestResult(community, "electricity")) && got.has(topics.trades(community, "alice")),
    );
    expect(
      SlotResult.parse(JSON.parse(got.get(topics.latestResult(community, "electricity"))?.[0] ?? "")),
    ).toMatchObject({
      fromUtilityWh: 800,
      slot: SLOT,
    });
  });

  afterAll(async () => {
    // leave no retained messages behind on the shared broker
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const retained = [
      topics.status(community),
      topics.price(community, "electricity"),
      topics.latestResult(community, "electricity"),
      topics.result(community, "electricity", SLOT),
      `homeassistant/sensor/openlem_${community}_price/config`,
    ];
    for (const topic of retained) await c.publishAsync(topic, "", { retain: true, qos: 1 });
    await c.endAsync();
  });
});
