import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningHub } from "@openlem/hub";
import type { HouseholdTrades, SlotResult } from "@openlem/protocol";
import { afterAll, expect, it } from "vitest";
import { clear, freePort, hubOn, post, seed, sellerToken } from "../../../test-support/hub-fixture.js";
import { type ConnectionState, HubRest, LiveFeed } from "../src/index.js";

let hub: RunningHub | undefined;
let feed: LiveFeed | undefined;
afterAll(async () => {
  await feed?.close();
  await hub?.close();
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

it("delivers results and own trades live, and after a hub restart the ones it missed, in order", async () => {
  const slots = ["2026-06-21T10:15:00.000Z", "2026-06-21T10:30:00.000Z", "2026-06-21T10:45:00.000Z"];
  let t = Date.parse("2026-06-21T09:00:00Z");
  const now = () => new Date(t);
  const setup = {
    port: await freePort(),
    mqttPort: await freePort(),
    dataDir: mkdtempSync(join(tmpdir(), "openlem-client-")),
    now,
  };
  hub = await hubOn(setup);
  const { deviceToken } = await seed(hub.url);
  const rest = new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken } });
  const results: SlotResult[] = [];
  const trades: HouseholdTrades[] = [];
  const states: ConnectionState[] = [];
  feed = await LiveFeed.start(
    rest,
    { result: (r) => results.push(r), trades: (x) => trades.push(x), connection: (s) => states.push(s) },
    { reconnectPeriodMs: 3000 },
  );
  // both households bid in every slot
  const seller = await sellerToken(hub.url);
  for (const slot of slots) {
    await rest.submitOrder({ clientOrderId: `b-${slot}`, side: "buy", slot, energyWh: 500, limitPrice: 0.2 });
    await post(`${hub.url}/api/communities/c/households/s/orders`, seller, {
      clientOrderId: `s-${slot}`,
      side: "sell",
      slot,
      energyWh: 300,
      limitPrice: 0.1,
      source: "pv",
    });
  }
  t = Date.parse("2026-06-21T10:11:00Z");
  await clear(hub.url, slots[0] as string);
  await until(() => results.length === 1 && trades.length === 1);
  expect(trades[0]?.fills).toEqual([
    // the buyer is rationed (500 Wh wanted, 300 offered): the price is its bid
    expect.objectContaining({ side: "buy", energyWh: 300, price: 0.2, counterparty: "local" }),
  ]);

  // The hub goes away; while the client waits to reconnect, a new hub on the same ports and
  // data clears two more slots. Only the last is retained on MQTT: the other must come over REST.
  await hub.close();
  await until(() => states.includes("offline") || states.includes("reconnecting"));
  t = Date.parse("2026-06-21T10:41:00Z");
  hub = await hubOn(setup);
  await clear(hub.url, slots[1] as string);
  await clear(hub.url, slots[2] as string);
  await until(() => results.length === 3, 20_000);
  expect(results.map((r) => r.slot)).toEqual(slots);
  expect(states.at(-1)).toBe("connected");
}, 60_000);
