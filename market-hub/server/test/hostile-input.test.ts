import { Meter, SlotEnergy } from "@openlem/protocol";
import { expect, it } from "vitest";
import { z } from "zod";
import { describeEachDatabase } from "./databases.js";
import { createCommunity, MARKET, participant } from "./fixtures.js";
import { bodyOf, problemOf, useHub } from "./hub.js";

// One participant must not be able to make the hub count centuries of slots: every instant lies
// in the years the hub reckons with, readings near the hub's clock, and ranges within a month.
describeEachDatabase("hostile input: dates and ranges", (db) => {
  const hub = useHub(db);
  let token = "";
  let meter = "";
  const readings = (list: object[]) =>
    hub().call("POST", "/api/communities/hi/readings", { token, body: { readings: list } });
  const energy = (q: string) => hub().call("GET", `/api/communities/hi/households/h/energy?${q}`, { token });

  it("refuses readings dated outside the years 2000–2199 or far from the hub's clock, naming each, and keeps what it had", async () => {
    hub().clock.set("2026-06-21T12:00:00Z");
    await createCommunity(hub(), "hi");
    token = await participant(hub(), "hi", "h");
    [{ meterId: meter }] = bodyOf(z.array(Meter), await hub().call("GET", "/api/communities/hi/meters", { token })) as [
      Meter,
    ];
    const good = await readings([
      { meterId: meter, at: "2026-06-21T11:30:00Z", importWh: 100, exportWh: 0 },
      { meterId: meter, at: "2026-06-21T11:45:00Z", importWh: 150, exportWh: 0 },
    ]);
    expect(good.status).toBe(200);
    const stored = async () =>
      (
        await hub().ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM market.readings WHERE meter_id = $1", [
          meter,
        ])
      )[0]?.n;

    const ancient = await readings([{ meterId: meter, at: "1700-01-01T00:00:00Z", importWh: 0, exportWh: 0 }]);
    expect(ancient.status).toBe(400);
    expect(problemOf(ancient).errors).toContainEqual({
      field: "readings[0].at",
      rule: "must lie in the years 2000 to 2199",
    });
    const far = await readings([
      { meterId: meter, at: "2026-05-01T00:00:00Z", importWh: 50, exportWh: 0 },
      { meterId: meter, at: "2026-06-23T00:00:00Z", importWh: 900, exportWh: 0 },
      { meterId: meter, at: "2026-06-21T12:00:00Z", importWh: 190, exportWh: 0 },
    ]);
    expect(far.status).toBe(422);
    expect(problemOf(far).errors).toEqual([
      {
        field: "readings[0].at",
        rule: "lies more than 35 days before the hub's time (2026-06-21T12:00:00.000Z): send the meter's current registers instead (they are cumulative and heal the gap)",
      },
      {
        field: "readings[1].at",
        rule: "lies more than 24 hours after the hub's time (2026-06-21T12:00:00.000Z): check the meter's clock",
      },
    ]);
    // all or nothing: the plausible third reading of the refused batch was not stored either
    expect(await stored()).toBe(2);
  });

  it("answers at most a month of slots a request, with a Link to the next page; one end given spans a day", async () => {
    for (const q of [
      "from=2000-01-01T00:00:00Z&to=2199-01-01T00:00:00Z",
      "from=2016-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
      "from=2026-06-01T00:00:00Z&to=2026-07-04T00:00:00Z",
    ]) {
      const r = await hub().app.inject({
        method: "GET",
        url: `/api/communities/hi/households/h/energy?${q}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.statusCode, q).toBe(200);
      const from = new URLSearchParams(q).get("from") ?? "";
      const cut = new Date(Date.parse(from) + 32 * 86_400_000).toISOString();
      expect(r.headers.link, q).toBe(
        `</api/communities/hi/households/h/energy?from=${encodeURIComponent(cut)}&to=${encodeURIComponent(new Date(new URLSearchParams(q).get("to") ?? "").toISOString())}>; rel="next"`,
      );
      for (const s of bodyOf(z.array(SlotEnergy), { status: 200, contentType: "json", body: r.json() }))
        expect(s.slot < cut, q).toBe(true);
    }
    // a range that ends before it starts holds nothing
    const backwards = await energy("from=2026-06-21T00:00:00Z&to=2026-06-20T00:00:00Z");
    expect([backwards.status, backwards.body]).toEqual([200, []]);
    expect((await energy("from=1700-01-01T00:00:00Z")).status).toBe(400);
    // a month is answered whole; from alone covers one day
    const month = await hub().app.inject({
      method: "GET",
      url: "/api/communities/hi/households/h/energy?from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z",
      headers: { authorization: `Bearer ${token}` },
    });
    expect([month.statusCode, month.headers.link]).toEqual([200, undefined]);
    const day = bodyOf(z.array(SlotEnergy), await energy("from=2026-06-21T00:00:00Z"));
    expect(day.every((s) => s.slot >= "2026-06-21T00:00:00.000Z" && s.slot < "2026-06-22T00:00:00.000Z")).toBe(true);
    expect(day.length).toBeGreaterThan(0);
    for (const path of [
      "/api/communities/hi/results?from=2016-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
      "/api/communities/hi/households/h/fills?from=2016-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
      "/api/communities/hi/households/h/orders?from=2016-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
    ]) {
      const r = await hub().app.inject({ method: "GET", url: path, headers: { authorization: `Bearer ${token}` } });
      expect(r.statusCode, path).toBe(200);
      expect(r.headers.link, path).toMatch(
        /from=2016-02-02T00%3A00%3A00.000Z&to=2026-01-01T00%3A00%3A00.000Z>; rel="next"$/,
      );
    }
  });

  it("answers far-future periods with a 400 naming the date, not a 500", async () => {
    for (const path of [
      "/api/communities/hi/households/h/statement?period=month&date=9999-12-01",
      "/api/communities/hi/kpis?period=week&date=9999-12-30",
    ]) {
      const r = await hub().call("GET", path, { token });
      expect(r.status, path).toBe(400);
      expect(problemOf(r).errors, path).toEqual([
        { field: "querystring.date", rule: "must lie in the years 2000 to 2199" },
      ]);
    }
    // the last month the hub reckons with ends on a valid date
    expect((await hub().call("GET", "/api/communities/hi/kpis?period=month&date=2199-12-01", { token })).status).toBe(
      200,
    );
  });

  it("refuses a NUL character in any string with a 400 naming the field, before it reaches the database", async () => {
    const op = await hub().operatorToken();
    const community = await hub().call("POST", "/api/communities", {
      token: op,
      body: { id: "nul", name: "Groene\u0000Mient", market: MARKET },
    });
    expect(community.status).toBe(400);
    expect(problemOf(community).errors).toEqual([
      { field: "name", rule: "must not contain the NUL character (U+0000)" },
    ]);
    const tokenName = await hub().call("POST", "/api/communities/hi/households/h/device-tokens", {
      token,
      body: { name: "garage\u0000", scope: "device" },
    });
    expect(tokenName.status).toBe(400);
    expect(problemOf(tokenName).errors).toEqual([
      { field: "name", rule: "must not contain the NUL character (U+0000)" },
    ]);
    // in a query parameter with a format, the format says it first
    const query = await energy("from=2026-06-21T00:00:00Z%00");
    expect(query.status).toBe(400);
    expect(problemOf(query).errors?.map((e) => e.field)).toEqual(["querystring.from"]);
    // nothing was stored, and the hub still answers
    expect((await hub().call("GET", "/api/communities/nul", { token: op })).status).toBe(404);
  });

  it("checks who may call before it checks the body: 403 (or 401), not the body's rules", async () => {
    const breaking = { id: "x", name: "", market: { ...MARKET, timeZone: "Mars/Olympus", priceFloor: 0.9 } };
    const create = await hub().call("POST", "/api/communities", { token, body: breaking });
    expect([create.status, problemOf(create).detail]).toEqual([403, "only the community operator may do this"]);
    expect((await hub().call("POST", "/api/communities", { body: breaking })).status).toBe(401);
    const market = await hub().call("PUT", "/api/communities/hi/market", { token, body: breaking.market });
    expect(market.status).toBe(403);
    // another household's orders, with a body that breaks every rule
    const orders = await hub().call("POST", "/api/communities/hi/households/someone-else/orders", {
      token,
      body: { side: "sideways", energyWh: -1 },
    });
    expect(orders.status).toBe(403);
    expect(problemOf(orders).detail).toMatch(/you may not act for household someone-else/);
    // the operator, allowed, hears the rules
    const asOperator = await hub().call("POST", "/api/communities", {
      token: await hub().operatorToken(),
      body: breaking,
    });
    expect([400, 422]).toContain(asOperator.status);
  });
});
