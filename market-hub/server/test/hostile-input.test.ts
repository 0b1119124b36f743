import { Meter, SlotEnergy } from "@openlem/protocol";
import { expect, it } from "vitest";
import { z } from "zod";
import { describeEachDatabase } from "./databases.js";
import { createCommunity, participant } from "./fixtures.js";
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

  it("bounds every range to a month, naming the field; one end given spans a day", async () => {
    for (const q of [
      "from=2000-01-01T00:00:00Z&to=2199-01-01T00:00:00Z",
      "from=2016-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
      "from=2026-06-01T00:00:00Z&to=2026-07-04T00:00:00Z",
    ]) {
      const r = await energy(q);
      expect(r.status, q).toBe(400);
      expect(problemOf(r).errors, q).toEqual([
        { field: "querystring.to", rule: "must be at most 32 days after from (page through longer spans)" },
      ]);
    }
    const backwards = await energy("from=2026-06-21T00:00:00Z&to=2026-06-20T00:00:00Z");
    expect(problemOf(backwards).errors).toEqual([{ field: "querystring.to", rule: "must be after from" }]);
    expect((await energy("from=1700-01-01T00:00:00Z")).status).toBe(400);
    // a month is fine; from alone covers one day
    expect((await energy("from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z")).status).toBe(200);
    const day = bodyOf(z.array(SlotEnergy), await energy("from=2026-06-21T00:00:00Z"));
    expect(day.every((s) => s.slot >= "2026-06-21T00:00:00.000Z" && s.slot < "2026-06-22T00:00:00.000Z")).toBe(true);
    expect(day.length).toBeGreaterThan(0);
    for (const path of [
      "/api/communities/hi/results?from=2016-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
      "/api/communities/hi/households/h/fills?from=2016-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
      "/api/communities/hi/households/h/orders?from=2016-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
    ]) {
      const r = await hub().call("GET", path, { token });
      expect(r.status, path).toBe(400);
      expect(problemOf(r).errors[0]?.field, path).toBe("querystring.to");
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
});
