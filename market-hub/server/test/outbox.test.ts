import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Community,
  CommunityId,
  HouseholdId,
  HouseholdTrades,
  OrderInput,
  SlotResult,
  topics,
} from "@openlem/protocol";
import mqtt from "mqtt";
import { afterAll, expect, it } from "vitest";
import { type RunningMosquitto, startMosquitto } from "../../../test-support/mosquitto.js";
import { configFromEnv } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { type RunningHub, startHub } from "../src/hub.js";
import { clearSlot } from "../src/services/clearing.js";
import { createCommunity } from "../src/services/communities.js";
import { submitOrders } from "../src/services/orders.js";
import { MARKET } from "./fixtures.js";

const SLOT = "2026-06-21T10:15:00.000Z";

let broker: RunningMosquitto | undefined;
let hub: RunningHub | undefined;
afterAll(async () => {
  await hub?.close();
  await broker?.stop();
});

it("a clearing committed by a hub that died before publishing it goes out when a hub starts on the data again", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "openlem-outbox-"));
  // the process that died: it cleared the slot (committed) and never got to MQTT
  const db = await openDatabase({ dataDir });
  await migrate(db);
  const community = await createCommunity(
    db,
    Community.parse({ id: "ob", name: "Outbox", market: MARKET }),
    new Date("2026-06-20T00:00:00Z"),
  );
  const buy = OrderInput.parse({ clientOrderId: "b", side: "buy", slot: SLOT, energyWh: 800, limitPrice: 0.2 });
  const sell = OrderInput.parse({
    clientOrderId: "s",
    side: "sell",
    slot: SLOT,
    energyWh: 800,
    limitPrice: 0.1,
    source: "pv",
  });
  const at = new Date("2026-06-21T09:00:00Z");
  await db.transaction((tx) =>
    submitOrders(
      {
        db: tx,
        communityId: CommunityId.parse("ob"),
        householdId: HouseholdId.parse("a"),
        market: community.market,
        now: at,
      },
      [buy],
      () => [],
    ),
  );
  await db.transaction((tx) =>
    submitOrders(
      {
        db: tx,
        communityId: CommunityId.parse("ob"),
        householdId: HouseholdId.parse("b"),
        market: community.market,
        now: at,
      },
      [sell],
      () => [],
    ),
  );
  const cleared = await db.transaction((tx) =>
    clearSlot(tx, {
      communityId: CommunityId.parse("ob"),
      slot: SLOT,
      commodity: "electricity",
      now: new Date("2026-06-21T10:11:00Z"),
      triggeredBy: "scheduler",
    }),
  );
  expect(cleared.result.localWh).toBe(800);
  await db.close();

  // the households listen on the broker; then a hub starts on the same data
  broker = await startMosquitto();
  const listener = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const got = new Map<string, string>();
  listener.on("message", (topic, payload) => got.set(topic, payload.toString()));
  await listener.subscribeAsync(["openlem/ob/#"], { qos: 1 });
  hub = await startHub({
    config: configFromEnv({}, { port: 0, mqttPort: 0, dataDir, mqttUrl: broker.url, logLevel: "silent" }),
    now: () => new Date("2026-06-21T10:12:00Z"),
    tickMs: 0,
  });
  await expect.poll(() => got.has(topics.trades("ob", "a")) && got.has(topics.trades("ob", "b"))).toBe(true);
  expect(SlotResult.parse(JSON.parse(got.get(topics.result("ob", "electricity", SLOT)) ?? ""))).toMatchObject({
    slot: SLOT,
    localWh: 800,
  });
  expect(HouseholdTrades.parse(JSON.parse(got.get(topics.trades("ob", "a")) ?? ""))).toMatchObject({
    householdId: HouseholdId.parse("a"),
    slot: SLOT,
    fills: [expect.objectContaining({ side: "buy", energyWh: 800 })],
  });
  // sent once: the outbox is empty now, so a later start sends nothing again
  const [row] = await hub.ctx.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM market.clearings WHERE published_at IS NULL",
  );
  expect(row?.n).toBe(0);
  expect(await hub.mqtt.publishMissed()).toBe(0);
  await listener.endAsync();
});
