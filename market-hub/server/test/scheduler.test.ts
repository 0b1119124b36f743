import { CommunityId, HouseholdId, OrderInput } from "@openlem/protocol";
import { expect, it } from "vitest";
import type { ClearedSlot } from "../src/services/clearing.js";
import { getCommunity } from "../src/services/communities.js";
import { submitOrders } from "../src/services/orders.js";
import { ClearingScheduler } from "../src/services/scheduler.js";
import { describeEachDatabase } from "./databases.js";
import { createCommunity } from "./fixtures.js";
import { useHub } from "./hub.js";

describeEachDatabase("clearing scheduler", (db) => {
  const hub = useHub(db);

  it("clears every slot at gate closure, once, also with two hub processes on one database", async () => {
    hub().clock.set("2026-06-21T09:58:00Z");
    await createCommunity(hub(), "sched");
    const { market } = await getCommunity(db(), "sched");
    const order = (id: string, side: "buy" | "sell", slot: string) =>
      OrderInput.parse({
        clientOrderId: id,
        side,
        slot,
        energyWh: 500,
        limitPrice: side === "buy" ? 0.2 : 0.1,
        ...(side === "sell" ? { source: "pv" } : {}),
      });
    await db().transaction((tx) =>
      submitOrders(
        {
          db: tx,
          communityId: CommunityId.parse("sched"),
          householdId: HouseholdId.parse("h1"),
          market,
          now: hub().clock.now(),
        },
        [order("b1", "buy", "2026-06-21T10:15:00Z")],
        () => [],
      ),
    );
    await db().transaction((tx) =>
      submitOrders(
        {
          db: tx,
          communityId: CommunityId.parse("sched"),
          householdId: HouseholdId.parse("h2"),
          market,
          now: hub().clock.now(),
        },
        [order("s1", "sell", "2026-06-21T10:15:00Z")],
        () => [],
      ),
    );
    const seen: string[] = [];
    const onCleared = (_c: string, s: ClearedSlot) => seen.push(`${s.result.slot} ${s.result.localWh}`);
    const a = new ClearingScheduler({ db: db(), now: hub().clock.now, onCleared });
    const b = new ClearingScheduler({ db: db(), now: hub().clock.now, onCleared });

    // 09:58 + 5 min gate: only the 10:00 slot's gate has closed
    expect((await a.tick()).map((x) => x.slot)).toEqual(["2026-06-21T10:00:00.000Z"]);
    hub().clock.set("2026-06-21T10:10:00Z");
    const [fromA, fromB] = await Promise.all([a.tick(), b.tick()]);
    const cleared = [...fromA, ...fromB].map((x) => x.slot).sort();
    expect(cleared).toEqual(["2026-06-21T10:15:00.000Z"]);
    expect(seen).toEqual(["2026-06-21T10:00:00.000Z 0", "2026-06-21T10:15:00.000Z 500"]);
    expect(await a.tick()).toEqual([]);
    const rows = await db().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM market.clearings WHERE community_id = 'sched'",
    );
    expect(rows[0]?.n).toBe(2);
  });

  it("catches up on slots missed while stopped", async () => {
    hub().clock.set("2026-06-21T12:00:00Z");
    const s = new ClearingScheduler({ db: db(), now: hub().clock.now, onCleared: () => undefined });
    const slots = (await s.tick()).filter((x) => x.communityId === "sched").map((x) => x.slot);
    expect(slots[0]).toBe("2026-06-21T10:30:00.000Z");
    expect(slots.at(-1)).toBe("2026-06-21T12:00:00.000Z");
    expect(slots).toHaveLength(7);
  });
});
