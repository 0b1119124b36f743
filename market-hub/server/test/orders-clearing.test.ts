import { DeviceTokenCreated, Fill, OrderRecord, SlotResult } from "@openlem/protocol";
import { expect, it } from "vitest";
import { z } from "zod";
import { describeEachDatabase } from "./databases.js";
import { createCommunity, loginAs, observer, participant } from "./fixtures.js";
import { bodyOf, problemOf, useHub } from "./hub.js";

const SLOT = "2026-06-21T10:15:00.000Z";
const buy = { clientOrderId: "b-1", side: "buy", slot: SLOT, energyWh: 1000, limitPrice: 0.2 };
const sell = { clientOrderId: "s-1", side: "sell", slot: SLOT, energyWh: 600, limitPrice: 0.1, source: "pv" };
const orders = (h: string) => `/api/communities/oc/households/${h}/orders`;

describeEachDatabase("orders", (db) => {
  const hub = useHub(db);
  let alice = "";
  let bob = "";

  it("accepts an order, and the same order again without a duplicate", async () => {
    await createCommunity(hub(), "oc");
    alice = await participant(hub(), "oc", "alice");
    bob = await participant(hub(), "oc", "bob");
    const first = await hub().call("POST", orders("alice"), { token: alice, body: buy });
    expect(first.status).toBe(201);
    const record = bodyOf(OrderRecord, first);
    expect(record).toMatchObject({ status: "open", filledWh: 0, householdId: "alice", order: { slot: SLOT } });
    const again = await hub().call("POST", orders("alice"), { token: alice, body: buy });
    expect(again.status).toBe(200);
    expect(bodyOf(OrderRecord, again).id).toBe(record.id);
    const list = bodyOf(z.array(OrderRecord), await hub().call("GET", orders("alice"), { token: alice }));
    expect(list).toHaveLength(1);
  });

  it("refuses the same clientOrderId for other content", async () => {
    const r = await hub().call("POST", orders("alice"), { token: alice, body: { ...buy, energyWh: 2000 } });
    expect(r.status).toBe(409);
    expect(problemOf(r).errors[0]?.field).toBe("clientOrderId");
  });

  it("takes batches all or nothing and names the refused order's field", async () => {
    const batch = {
      orders: [
        { ...buy, clientOrderId: "x-1" },
        { ...buy, clientOrderId: "x-2", limitPrice: 0.9 },
      ],
    };
    const r = await hub().call("POST", `${orders("alice")}/batch`, { token: alice, body: batch });
    expect(r.status).toBe(422);
    expect(problemOf(r).errors).toEqual([
      { field: "orders[1].limitPrice", rule: "must lie between the price floor 0 and cap 0.5" },
    ]);
    const list = bodyOf(z.array(OrderRecord), await hub().call("GET", orders("alice"), { token: alice }));
    expect(list.map((o) => o.order.clientOrderId)).toEqual(["b-1"]);
    const ok = await hub().call("POST", `${orders("alice")}/batch`, {
      token: alice,
      body: {
        orders: [
          { ...buy, clientOrderId: "x-1", slot: "2026-06-21T10:30:00Z" },
          { ...buy, clientOrderId: "x-2", slot: "2026-06-21T10:45:00Z" },
        ],
      },
    });
    expect(ok.status).toBe(201);
    expect(bodyOf(z.object({ orders: z.array(OrderRecord) }), ok).orders).toHaveLength(2);
  });

  it("names schema errors in a batch by position", async () => {
    const r = await hub().call("POST", `${orders("alice")}/batch`, {
      token: alice,
      body: { orders: [buy, { ...buy, energyWh: -5 }] },
    });
    expect(r.status).toBe(400);
    expect(problemOf(r).errors).toEqual([{ field: "orders[1].energyWh", rule: "must be more than 0 Wh" }]);
  });

  it("replaces and cancels open orders before gate closure", async () => {
    const made = bodyOf(
      OrderRecord,
      await hub().call("POST", orders("alice"), {
        token: alice,
        body: { ...buy, clientOrderId: "r-1", slot: "2026-06-21T11:00:00Z" },
      }),
    );
    const replaced = await hub().call("PUT", `${orders("alice")}/${made.id}`, {
      token: alice,
      body: { ...buy, clientOrderId: "r-1", slot: "2026-06-21T11:00:00Z", energyWh: 1500 },
    });
    expect(bodyOf(OrderRecord, replaced).order.energyWh).toBe(1500);
    const cancelled = await hub().call("DELETE", `${orders("alice")}/${made.id}`, { token: alice });
    expect(bodyOf(OrderRecord, cancelled).status).toBe("cancelled");
    expect((await hub().call("DELETE", `${orders("alice")}/${made.id}`, { token: alice })).status).toBe(409);
  });

  it("keeps households' orders private", async () => {
    expect((await hub().call("GET", orders("alice"), { token: bob })).status).toBe(403);
    expect(
      (await hub().call("POST", orders("alice"), { token: bob, body: { ...buy, clientOrderId: "evil" } })).status,
    ).toBe(403);
    expect((await hub().call("GET", orders("alice"), { token: await observer(hub()) })).status).toBe(403);
    expect((await hub().call("GET", orders("alice"), { token: await hub().operatorToken() })).status).toBe(200);
    expect((await hub().call("GET", orders("alice"))).status).toBe(401);
  });

  it("lets a household's device submit for it, and only for it", async () => {
    const device = bodyOf(
      DeviceTokenCreated,
      await hub().call("POST", "/api/communities/oc/households/bob/device-tokens", {
        token: bob,
        body: { name: "boiler" },
      }),
    );
    expect((await hub().call("POST", orders("bob"), { token: device.token, body: sell })).status).toBe(201);
    expect((await hub().call("POST", orders("alice"), { token: device.token, body: sell })).status).toBe(403);
  });

  it("refuses orders after gate closure with the time it closed", async () => {
    hub().clock.set("2026-06-21T10:10:00Z");
    const r = await hub().call("POST", orders("bob"), {
      token: await loginAs(hub(), "bob"),
      body: { ...sell, clientOrderId: "late" },
    });
    expect(r.status).toBe(422);
    expect(problemOf(r).errors).toEqual([
      { field: "slot", rule: "gate closed at 2026-06-21T10:10:00.000Z (5 min before the slot); bid for a later slot" },
    ]);
  });
});

describeEachDatabase("clearing", (db) => {
  const hub = useHub(db);
  const slotOrders = (h: string) => `/api/communities/cl/households/${h}/orders`;

  it("clears a slot once, only when the operator asks after gate closure, and settles the orders", async () => {
    hub().clock.set("2026-06-21T09:00:00Z");
    await createCommunity(hub(), "cl");
    const a = await participant(hub(), "cl", "a");
    const b = await participant(hub(), "cl", "b");
    await hub().call("POST", slotOrders("a"), { token: a, body: buy });
    await hub().call("POST", slotOrders("b"), { token: b, body: sell });
    const op = await hub().operatorToken();
    const early = await hub().call("POST", "/api/communities/cl/clearings", { token: op, body: { slot: SLOT } });
    expect(early.status).toBe(409);
    expect(problemOf(early).detail).toMatch(/closes at 2026-06-21T10:10:00.000Z/);

    hub().clock.set("2026-06-21T10:11:00Z");
    const op2 = await hub().operatorToken();
    const aAgain = await loginAs(hub(), "a");
    for (const token of [aAgain, await observer(hub())]) {
      expect((await hub().call("POST", "/api/communities/cl/clearings", { token, body: { slot: SLOT } })).status).toBe(
        403,
      );
    }
    // three at once: exactly one clears
    const replies = await Promise.all(
      [1, 2, 3].map(() => hub().call("POST", "/api/communities/cl/clearings", { token: op2, body: { slot: SLOT } })),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const results = replies.map((r) => bodyOf(SlotResult, r));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    const result = results[0];
    // the buyer is rationed (1,000 Wh wanted, 600 offered): the price is its bid
    expect(result?.markets[0]).toMatchObject({ price: 0.2, localWh: 600 });
    expect(result).toMatchObject({ localWh: 600, fromUtilityWh: 0, toUtilityWh: 0 });
    const [{ n } = { n: -1 }] = await db().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM market.fills WHERE community_id = 'cl'",
    );
    expect(n).toBe(2);

    const aOrders = bodyOf(z.array(OrderRecord), await hub().call("GET", slotOrders("a"), { token: aAgain }));
    expect(aOrders[0]).toMatchObject({ status: "partially-filled", filledWh: 600 });
    const bOrders = bodyOf(
      z.array(OrderRecord),
      await hub().call("GET", slotOrders("b"), { token: await loginAs(hub(), "b") }),
    );
    expect(bOrders[0]).toMatchObject({ status: "filled", filledWh: 600 });
  });

  it("shows results to everyone and fills only to their household", async () => {
    const obs = await observer(hub());
    const results = bodyOf(z.array(SlotResult), await hub().call("GET", "/api/communities/cl/results", { token: obs }));
    expect(results.map((r) => r.slot)).toEqual([SLOT]);
    const a = await loginAs(hub(), "a");
    const fills = bodyOf(
      z.array(Fill),
      await hub().call("GET", "/api/communities/cl/households/a/fills", { token: a }),
    );
    expect(fills).toEqual([expect.objectContaining({ side: "buy", energyWh: 600, price: 0.2, counterparty: "local" })]);
    expect((await hub().call("GET", "/api/communities/cl/households/b/fills", { token: a })).status).toBe(403);
    expect((await hub().call("GET", "/api/communities/cl/households/a/fills", { token: obs })).status).toBe(403);
  });

  it("refuses orders for a slot already cleared, whatever the clock says, new or replacing", async () => {
    // the clock set back before the gate (a restarted fast demo, a replica behind): the slot stays cleared
    hub().clock.set("2026-06-21T09:30:00Z");
    const a = await loginAs(hub(), "a");
    const late = await hub().call("POST", slotOrders("a"), { token: a, body: { ...buy, clientOrderId: "late" } });
    expect(late.status).toBe(422);
    expect(problemOf(late).errors).toEqual([
      {
        field: "slot",
        rule: expect.stringMatching(/^was cleared already \(at 2026-06-21T10:11:00.000Z\); bid for a later slot$/),
      },
    ]);
    const later = { ...buy, clientOrderId: "later", slot: "2026-06-21T10:30:00.000Z" };
    const open = await hub().call("POST", slotOrders("a"), { token: a, body: later });
    expect(open.status).toBe(201);
    const id = bodyOf(OrderRecord, open).id;
    const moved = await hub().call("PUT", `${slotOrders("a")}/${id}`, { token: a, body: { ...later, slot: SLOT } });
    expect(moved.status).toBe(422);
    expect(problemOf(moved).errors.map((e) => e.field)).toEqual(["slot"]);
    // nothing accepted before was changed
    const orders = bodyOf(z.array(OrderRecord), await hub().call("GET", slotOrders("a"), { token: a }));
    expect(orders.map((o) => [o.order.clientOrderId, o.order.slot])).toEqual([
      [buy.clientOrderId, SLOT],
      ["later", "2026-06-21T10:30:00.000Z"],
    ]);
  });
});
