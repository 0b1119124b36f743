import { Meter, SlotResult, StandingPreference, Statement } from "@openlem/protocol";
import { expect, it } from "vitest";
import { z } from "zod";
import { ClearingScheduler } from "../src/services/scheduler.js";
import { describeEachDatabase } from "./databases.js";
import { createCommunity, loginAs, MARKET, participant } from "./fixtures.js";
import { bodyOf, problemOf, useHub } from "./hub.js";

const SLOT = "2026-06-21T10:15:00.000Z";
const END = "2026-06-21T10:30:00.000Z";

describeEachDatabase("ex-post mode (standing preferences x metered energy)", (db) => {
  const hub = useHub(db);
  const t = { a: "", b: "", c: "" };

  it("takes standing preferences within floor and cap, and refuses orders", async () => {
    hub().clock.set("2026-06-21T09:00:00Z");
    await createCommunity(hub(), "ep", { ...MARKET, mode: "ex-post" });
    t.a = await participant(hub(), "ep", "a");
    t.b = await participant(hub(), "ep", "b");
    t.c = await participant(hub(), "ep", "c");
    const pa = await hub().call("PUT", "/api/communities/ep/households/a/preferences", {
      token: t.a,
      body: { maxBuyPrice: 0.2 },
    });
    expect(bodyOf(StandingPreference, pa)).toMatchObject({
      commodity: "electricity",
      maxBuyPrice: 0.2,
      minSellPrice: null,
    });
    await hub().call("PUT", "/api/communities/ep/households/b/preferences", {
      token: t.b,
      body: { minSellPrice: 0.1, source: "pv" },
    });
    const tooHigh = await hub().call("PUT", "/api/communities/ep/households/a/preferences", {
      token: t.a,
      body: { maxBuyPrice: 0.9 },
    });
    expect(problemOf(tooHigh).errors).toEqual([
      { field: "maxBuyPrice", rule: "must lie between the price floor 0 and cap 0.5" },
    ]);
    expect((await hub().call("GET", "/api/communities/ep/households/a/preferences", { token: t.b })).status).toBe(403);
    const order = await hub().call("POST", "/api/communities/ep/households/a/orders", {
      token: t.a,
      body: { clientOrderId: "x", side: "buy", slot: SLOT, energyWh: 100, limitPrice: 0.2 },
    });
    expect(order.status).toBe(422);
    expect(problemOf(order).errors[0]?.rule).toMatch(/clears ex post from standing preferences/);
  });

  it("clears after delivery from metered energy at the preferred prices", async () => {
    const report = async (token: string, imp: [number, number], exp: [number, number]) => {
      const [m] = bodyOf(z.array(Meter), await hub().call("GET", "/api/communities/ep/meters", { token }));
      const r = await hub().call("POST", "/api/communities/ep/readings", {
        token,
        body: {
          readings: [
            { meterId: m?.meterId, at: SLOT, importWh: imp[0], exportWh: exp[0] },
            { meterId: m?.meterId, at: END, importWh: imp[1], exportWh: exp[1] },
          ],
        },
      });
      expect(r.status).toBe(200);
    };
    await report(t.a, [1000, 1800], [0, 0]); // a used 800 Wh
    await report(t.b, [0, 0], [2000, 2500]); // b fed in 500 Wh
    await report(t.c, [0, 100], [0, 0]); // c has no preference: it stays with the utility

    hub().clock.set("2026-06-21T10:20:00Z");
    const op = await hub().operatorToken();
    const early = await hub().call("POST", "/api/communities/ep/clearings", { token: op, body: { slot: SLOT } });
    expect(problemOf(early).detail).toMatch(/delivered at 2026-06-21T10:30:00.000Z/);

    hub().clock.set("2026-06-21T10:31:00Z");
    // the scheduler waits for the readings: 15 minutes after the slot ends
    const scheduler = new ClearingScheduler({ db: db(), now: hub().clock.now, onCleared: () => undefined });
    expect((await scheduler.tick()).filter((x) => x.communityId === "ep" && x.slot === SLOT)).toEqual([]);
    hub().clock.set("2026-06-21T10:45:00Z");
    const cleared = (await scheduler.tick()).filter((x) => x.communityId === "ep").map((x) => x.slot);
    expect(cleared).toContain(SLOT);

    const results = bodyOf(
      z.array(SlotResult),
      await hub().call("GET", "/api/communities/ep/results", { token: await hub().operatorToken() }),
    );
    const r = results.find((x) => x.slot === SLOT);
    // a is rationed (800 Wh wanted, 500 offered): the price is its preference, 0.2
    expect(r?.markets[0]).toMatchObject({ price: 0.2, localWh: 500, demandWh: 800, supplyWh: 500 });

    const a = await loginAs(hub(), "a");
    const st = bodyOf(
      Statement,
      await hub().call("GET", "/api/communities/ep/households/a/statement?date=2026-06-21", { token: a }),
    );
    // 500 Wh bought locally at 0.2; the other 300 Wh metered came from the utility at retail
    expect(st.lines.map((l) => [l.kind, l.energyWh, l.amount])).toEqual([
      ["local-buy", 500, "0.10000000"],
      ["deviation-buy", 300, "0.06600000"],
    ]);
  });
});
