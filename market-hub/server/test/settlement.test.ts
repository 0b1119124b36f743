import { Kpis, Meter, SlotEnergy, Statement } from "@openlem/protocol";
import { expect, it } from "vitest";
import { z } from "zod";
import { describeEachDatabase } from "./databases.js";
import { createCommunity, loginAs, observer, participant } from "./fixtures.js";
import { bodyOf, problemOf, useHub } from "./hub.js";

const SLOT = "2026-06-21T10:15:00.000Z";
const END = "2026-06-21T10:30:00.000Z";

describeEachDatabase("readings and settlement", (db) => {
  const hub = useHub(db);
  const tokens = { a: "", b: "" };
  const meters = { a: "", b: "" };

  async function meterOf(token: string): Promise<string> {
    const [m] = bodyOf(z.array(Meter), await hub().call("GET", "/api/communities/st/meters", { token }));
    return m?.meterId ?? "";
  }
  const readings = (token: string, list: object[]) =>
    hub().call("POST", "/api/communities/st/readings", { token, body: { readings: list } });

  it("stores readings; the same reading twice counts once", async () => {
    hub().clock.set("2026-06-21T09:00:00Z");
    await createCommunity(hub(), "st");
    tokens.a = await participant(hub(), "st", "a");
    tokens.b = await participant(hub(), "st", "b");
    meters.a = await meterOf(tokens.a);
    meters.b = await meterOf(tokens.b);
    const first = await readings(tokens.a, [
      { meterId: meters.a, at: SLOT, importWh: 10_000, exportWh: 0 },
      { meterId: meters.a, at: END, importWh: 10_800, exportWh: 0 },
    ]);
    expect(first.body).toEqual({ accepted: 2, duplicates: 0 });
    const again = await readings(tokens.a, [
      { meterId: meters.a, at: "2026-06-21T12:30:00+02:00", importWh: 10_800, exportWh: 0 },
    ]);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1 });
  });

  it("refuses a changed reading, another household's meter and unknown meters, naming each", async () => {
    const r = await readings(tokens.a, [
      { meterId: meters.a, at: END, importWh: 11_000, exportWh: 0 },
      { meterId: meters.b, at: END, importWh: 0, exportWh: 1 },
      { meterId: "nope", at: END, importWh: 0, exportWh: 1 },
    ]);
    expect(r.status).toBe(422);
    expect(problemOf(r).errors).toEqual([
      { field: "readings[0].at", rule: `already has a reading with other register values for meter ${meters.a}` },
      { field: "readings[1].meterId", rule: "belongs to a household you may not report for" },
      { field: "readings[2].meterId", rule: "is not a meter of community st" },
    ]);
    const bad = await readings(tokens.a, [{ meterId: meters.a, at: END, importWh: -1, exportWh: 0 }]);
    expect(problemOf(bad).errors[0]?.field).toBe("readings[0].importWh");
  });

  it("settles trades against metered energy in a household's statement", async () => {
    await readings(tokens.b, [
      { meterId: meters.b, at: SLOT, importWh: 0, exportWh: 5_000 },
      { meterId: meters.b, at: END, importWh: 0, exportWh: 5_700 },
    ]);
    await hub().call("POST", "/api/communities/st/households/a/orders", {
      token: tokens.a,
      body: { clientOrderId: "a", side: "buy", slot: SLOT, energyWh: 1000, limitPrice: 0.2 },
    });
    await hub().call("POST", "/api/communities/st/households/b/orders", {
      token: tokens.b,
      body: { clientOrderId: "b", side: "sell", slot: SLOT, energyWh: 600, limitPrice: 0.1, source: "pv" },
    });
    hub().clock.set("2026-06-21T10:11:00Z");
    const op = await hub().operatorToken();
    expect(
      (await hub().call("POST", "/api/communities/st/clearings", { token: op, body: { slot: SLOT } })).status,
    ).toBe(201);

    const a = await loginAs(hub(), "a");
    const st = bodyOf(
      Statement,
      await hub().call("GET", "/api/communities/st/households/a/statement?date=2026-06-21", { token: a }),
    );
    // a bought 600 Wh locally at 0.2 (it was rationed: the price is its bid) and metered
    // 800 Wh: 200 Wh more, bought at retail 0.22
    expect(st.lines.map((l) => [l.kind, l.energyWh, l.amount])).toEqual([
      ["local-buy", 600, "0.12000000"],
      ["deviation-buy", 200, "0.04400000"],
    ]);
    expect(st).toMatchObject({
      total: "0.16400000",
      totalMinor: 16,
      utilityOnlyTotal: "0.17600000",
      savings: "0.01200000",
    });
    expect(st.period).toMatchObject({ kind: "day", start: "2026-06-21", from: "2026-06-20T22:00:00.000Z" });

    const b = await loginAs(hub(), "b");
    const sb = bodyOf(
      Statement,
      await hub().call("GET", "/api/communities/st/households/b/statement?period=week&date=2026-06-21", { token: b }),
    );
    // b sold 600 Wh at 0.2 and metered 700 Wh of export: 100 Wh more, credited at feed-in 0.09
    expect(sb.lines.map((l) => [l.kind, l.energyWh, l.amount])).toEqual([
      ["local-sell", 600, "-0.12000000"],
      ["deviation-sell", 100, "-0.00900000"],
    ]);
    expect(sb.period).toMatchObject({ kind: "week", start: "2026-06-15" });
  });

  it("keeps statements private and shows KPIs to everyone", async () => {
    const b = await loginAs(hub(), "b");
    expect((await hub().call("GET", "/api/communities/st/households/a/statement", { token: b })).status).toBe(403);
    const obs = await observer(hub());
    expect((await hub().call("GET", "/api/communities/st/households/a/statement", { token: obs })).status).toBe(403);
    const op = await hub().operatorToken();
    expect(
      (await hub().call("GET", "/api/communities/st/households/a/statement?date=2026-06-21", { token: op })).status,
    ).toBe(200);
    const k = bodyOf(Kpis, await hub().call("GET", "/api/communities/st/kpis?date=2026-06-21", { token: obs }));
    // demand 800 (a's import), generation 700 (b's export); all of a's 800 met locally (700 < 800: 700)
    expect(k).toMatchObject({ demandWh: 800, generationWh: 700, localTradedWh: 600, boughtWh: 800, gridImportWh: 100 });
    expect(k.selfSufficiency).toBeCloseTo(700 / 800, 12);
    expect(k.localTradeShare).toBeCloseTo(600 / 800, 12);
    expect(k.peakImportW).toBe(400);
  });

  it("counts a traded slot whose readings are not in yet as traded, in the bill and in the utility-only bill", async () => {
    hub().clock.set("2026-06-21T10:20:00Z");
    const a = await loginAs(hub(), "a");
    const next = "2026-06-21T10:45:00.000Z";
    await hub().call("POST", "/api/communities/st/households/a/orders", {
      token: a,
      body: { clientOrderId: "a-later", side: "buy", slot: next, energyWh: 400, limitPrice: 0.3 },
    });
    hub().clock.set("2026-06-21T10:41:00Z");
    await hub().call("POST", "/api/communities/st/clearings", {
      token: await hub().operatorToken(),
      body: { slot: next },
    });
    const a2 = await loginAs(hub(), "a");
    const st = bodyOf(
      Statement,
      await hub().call("GET", "/api/communities/st/households/a/statement?date=2026-06-21", { token: a2 }),
    );
    // 400 Wh from the utility at 0.22 = 0.088; no meter yet for 10:45, so no deviation and no false "savings"
    expect(st.lines.map((l) => [l.kind, l.energyWh, l.amount])).toEqual([
      ["local-buy", 600, "0.12000000"],
      ["utility-buy", 400, "0.08800000"],
      ["deviation-buy", 200, "0.04400000"],
    ]);
    expect(st).toMatchObject({ total: "0.25200000", utilityOnlyTotal: "0.26400000", savings: "0.01200000" });
  });

  it("shows a household its metered energy per slot, with an interpolated gap flagged as estimated", async () => {
    // a's meter goes silent after 10:30 and reports again at 11:00: two slots healed by interpolation
    const a = await loginAs(hub(), "a");
    const sent = await readings(a, [{ meterId: meters.a, at: "2026-06-21T11:00:00Z", importWh: 11_400, exportWh: 0 }]);
    expect(sent.status).toBe(200);
    const r = await hub().call(
      "GET",
      "/api/communities/st/households/a/energy?from=2026-06-21T10:00:00Z&to=2026-06-21T11:00:00Z",
      {
        token: a,
      },
    );
    expect(bodyOf(z.array(SlotEnergy), r).map((e) => [e.slot, e.importWh, e.estimated])).toEqual([
      [SLOT, 800, false],
      ["2026-06-21T10:30:00.000Z", 300, true],
      ["2026-06-21T10:45:00.000Z", 300, true],
    ]);
    const b = await loginAs(hub(), "b");
    expect((await hub().call("GET", "/api/communities/st/households/a/energy", { token: b })).status).toBe(403);
  });
});
