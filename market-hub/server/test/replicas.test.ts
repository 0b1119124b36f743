import { type HubStatus, SubmissionAck, TokenPair, topics } from "@openlem/protocol";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningMosquitto, startMosquitto } from "../../../test-support/mosquitto.js";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { configFromEnv } from "../src/config.js";
import { type RunningHub, startHub } from "../src/hub.js";
import { scratchDatabaseUrl } from "./databases.js";
import { MARKET } from "./fixtures.js";
import { type HubProcess, startHubProcess } from "./hub-process.js";

// Two hub replicas on one PostgreSQL and one broker (a Mosquitto of the test's own): one is a
// process of its own, killed with SIGKILL as a failing machine would be.
const OP = { email: "op@example.org", password: "operator password" };
const COMMUNITY = "rep";

describeWithRealService("postgres", "two hub replicas on one database and one broker", (pgUrl) => {
  let dbUrl = "";
  let scratch: { url: string; drop: () => Promise<void> } | undefined;
  let broker: RunningMosquitto;
  let inProcess: RunningHub;
  let replica: HubProcess | undefined;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    scratch = await scratchDatabaseUrl(pgUrl, "openlem_rep");
    dbUrl = scratch.url;
    broker = await startMosquitto();
    const config = configFromEnv(
      {},
      { port: 0, mqttPort: 0, databaseUrl: dbUrl, mqttUrl: broker.url, logLevel: "silent" },
    );
    inProcess = await startHub({ config, operator: OP, tickMs: 0 });
    const op = await login(inProcess.url);
    await fetch(`${inProcess.url}/api/communities`, {
      method: "POST",
      headers: { authorization: `Bearer ${op}`, "content-type": "application/json" },
      body: JSON.stringify({
        id: COMMUNITY,
        name: "Replicas",
        market: MARKET,
      }),
    });
    // the second replica: `openlem-hub serve`, as an operator deploys it
    replica = await startHubProcess({ DATABASE_URL: dbUrl, MQTT_URL: broker.url });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await replica?.kill();
    await inProcess?.close();
    await broker?.stop();
    await scratch?.drop();
  });

  async function login(url: string): Promise<string> {
    const res = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(OP),
    });
    return TokenPair.parse(await res.json()).accessToken;
  }
  async function connect(): Promise<MqttClient> {
    const c = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    clients.push(c);
    return c;
  }

  it("handles each MQTT submission once: the device gets one answer, not one per replica", async () => {
    const device = await connect();
    const acks: SubmissionAck[] = [];
    device.on("message", (_t, p) => acks.push(SubmissionAck.parse(JSON.parse(p.toString()))));
    await device.subscribeAsync(topics.acks(COMMUNITY, "h"), { qos: 1 });
    const slot = new Date(Math.ceil((Date.now() + 3_600_000) / 900_000) * 900_000).toISOString();
    for (let i = 0; i < 5; i++) {
      const batch = { orders: [{ clientOrderId: `o${i}`, side: "buy", slot, energyWh: 500, limitPrice: 0.2 }] };
      await device.publishAsync(topics.orders(COMMUNITY, "h"), JSON.stringify(batch), { qos: 1 });
    }
    await expect.poll(() => acks.length).toBeGreaterThanOrEqual(5);
    // a second answer for any of them would come from the other replica about as fast as the first
    await new Promise((r) => setTimeout(r, 500));
    expect(acks).toHaveLength(5);
    expect(acks.every((a) => a.ok && a.accepted === 1)).toBe(true);
  });

  it("a replica killed does not take the community offline: the one left says online again at once", async () => {
    const watcher = await connect();
    const states: HubStatus["state"][] = [];
    watcher.on("message", (_t, p) => states.push((JSON.parse(p.toString()) as HubStatus).state));
    await watcher.subscribeAsync(topics.status(COMMUNITY), { qos: 1 });
    await expect.poll(() => states.at(-1)).toBe("online");
    await replica?.kill();
    // the broker speaks the killed replica's last will, and the replica left answers it
    await expect.poll(() => states.includes("offline"), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => states.lastIndexOf("online") > states.lastIndexOf("offline")).toBe(true);
    // a newcomer reads the retained status: online
    const newcomer = await connect();
    const seen: string[] = [];
    newcomer.on("message", (_t, p) => seen.push((JSON.parse(p.toString()) as HubStatus).state));
    await newcomer.subscribeAsync(topics.status(COMMUNITY), { qos: 1 });
    await expect.poll(() => seen[0]).toBe("online");
  });
});
