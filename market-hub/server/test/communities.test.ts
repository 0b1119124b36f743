import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Community, DeviceTokenCreated, MarketClock, Me, Meter, MeterRegistered, TokenPair } from "@openlem/protocol";
import { expect, it } from "vitest";
import { z } from "zod";
import { METER_PIN_GUESSES } from "../src/services/meters.js";
import { describeEachDatabase } from "./databases.js";
import { createCommunity, MARKET, observer, participant, registerMeter } from "./fixtures.js";
import { bodyOf, problemOf, useHub } from "./hub.js";

describeEachDatabase("communities and meters", (db) => {
  const hub = useHub(db);

  it("lets operators create communities with market rules, and nobody else", async () => {
    const c = await createCommunity(hub(), "gm");
    expect(c.market.slotMinutes).toBe(15);
    const token = await observer(hub());
    const r = await hub().call("POST", "/api/communities", { token, body: { id: "x", name: "X", market: MARKET } });
    expect(r.status).toBe(403);
    expect(problemOf(r).detail).toMatch(/only the community operator/);
    const list = bodyOf(z.array(Community), await hub().call("GET", "/api/communities", { token }));
    expect(list.map((x) => x.id)).toContain("gm");
  });

  it("tells clients the hub's market time and the next slot that takes orders", async () => {
    hub().clock.set("2026-06-21T10:07:30Z");
    const clock = bodyOf(
      MarketClock,
      await hub().call("GET", "/api/communities/gm/clock", { token: await hub().operatorToken() }),
    );
    expect(clock).toEqual({
      communityId: "gm",
      now: "2026-06-21T10:07:30.000Z",
      slotMinutes: 15,
      mode: "ex-ante",
      currentSlot: "2026-06-21T10:00:00.000Z",
      nextOpenSlot: "2026-06-21T10:15:00.000Z",
      gateClosesAt: "2026-06-21T10:10:00.000Z",
      // the gate of 10:00 closed at 09:55: the latest slot the hub may clear
      lastClearableSlot: "2026-06-21T10:00:00.000Z",
    });
    hub().clock.set("2026-06-21T10:10:00Z"); // the 10:15 gate has just closed
    const later = bodyOf(
      MarketClock,
      await hub().call("GET", "/api/communities/gm/clock", { token: await hub().operatorToken() }),
    );
    expect(later.nextOpenSlot).toBe("2026-06-21T10:30:00.000Z");
  });

  it("refuses bad market rules, naming the field", async () => {
    const r = await hub().call("POST", "/api/communities", {
      token: await hub().operatorToken(),
      body: { id: "bad", name: "Bad", market: { ...MARKET, feedInTariff: 0.3 } },
    });
    // of the right shape, but breaking a rule between fields: 422, each field named
    expect(r.status).toBe(422);
    expect(problemOf(r).errors).toEqual(
      expect.arrayContaining([{ field: "market.feedInTariff", rule: "must not exceed retailPrice" }]),
    );
  });

  it("refuses with 400 what the OpenAPI document says, naming the field", async () => {
    const token = await hub().operatorToken();
    const document = (await hub().call("GET", "/api/openapi.json")).body;
    // the document says it: slot lengths as an enum
    expect(JSON.stringify(document)).toContain('"enum":[1,2,3,4,5,6,8,9,10,12,15,');
    for (const [market, field] of [
      [{ ...MARKET, slotMinutes: 7 }, "market.slotMinutes"],
      [{ ...MARKET, localGridFee: -0.01 }, "market.localGridFee"],
      [{ ...MARKET, sourceOrder: ["pv", "pv"] }, "market.sourceOrder"],
      [{ ...MARKET, timeZone: "Europe Berlin" }, "market.timeZone"],
    ] as const) {
      const r = await hub().call("POST", "/api/communities", { token, body: { id: "bad", name: "Bad", market } });
      expect(r.status).toBe(400);
      expect(problemOf(r).errors.map((e) => e.field)).toContain(field);
    }
    // a zone of the right shape that does not exist is beyond the schema: 422
    const mars = await hub().call("POST", "/api/communities", {
      token,
      body: { id: "bad", name: "Bad", market: { ...MARKET, timeZone: "Mars/Olympus_Mons" } },
    });
    expect(mars.status).toBe(422);
  });

  it("shows a meter's PIN once, and links it with id and PIN", async () => {
    await createCommunity(hub(), "links");
    const meter = await registerMeter(hub(), "links", "M-1", "house-1");
    expect(meter.pin).toMatch(/^\d{6}$/);
    const listed = bodyOf(
      z.array(Meter),
      await hub().call("GET", "/api/communities/links/meters", { token: await hub().operatorToken() }),
    );
    expect(listed.find((m) => m.meterId === "M-1")).not.toHaveProperty("pin");
    const token = await observer(hub());
    const r = await hub().call("POST", "/api/meters/link", { token, body: { meterId: "M-1", pin: meter.pin } });
    expect(bodyOf(Meter, r)).toMatchObject({ meterId: "M-1", householdId: "house-1", linked: true });
    const me = bodyOf(Me, await hub().call("GET", "/api/me", { token }));
    expect(me).toMatchObject({ role: "participant", households: [{ communityId: "links", householdId: "house-1" }] });
    // a second account cannot take it over
    const other = await observer(hub());
    expect(
      (await hub().call("POST", "/api/meters/link", { token: other, body: { meterId: "M-1", pin: meter.pin } })).status,
    ).toBe(409);
  });

  it("after 5 wrong PINs the account waits 15 minutes; its guesses do not lock the household out, and an unknown meter looks like a wrong PIN", async () => {
    await createCommunity(hub(), "locks");
    const meter = await registerMeter(hub(), "locks", "M-LOCK", "house-9");
    const wrongPin = meter.pin === "000000" ? "111111" : "000000";
    const guesser = { email: "guesser@example.org", password: "guesser password" };
    const owner = { email: "owner-9@example.org", password: "owner password" };
    for (const reg of [guesser, owner]) await hub().call("POST", "/api/auth/register", { body: reg });
    // log in for every attempt: the wait outlasts an access token
    const attempt = async (who: typeof owner, pin: string, meterId = "M-LOCK") =>
      hub().call("POST", "/api/meters/link", {
        token: await hub().login(who.email, who.password),
        body: { meterId, pin },
      });
    for (let i = 0; i < 5; i++) {
      // an unknown meter id gets the answer a wrong PIN gets, and counts as a guess too
      const r = await attempt(guesser, wrongPin, i === 0 ? "NO-SUCH-METER" : "M-LOCK");
      expect(r.status).toBe(422);
      expect(problemOf(r)).toMatchObject({
        detail: "the meter id or the PIN is wrong",
        errors: [{ field: "pin", rule: "does not match the meter" }],
      });
    }
    const waiting = await attempt(guesser, meter.pin);
    expect(waiting.status).toBe(429);
    expect(problemOf(waiting).detail).toMatch(/too many wrong meter PINs from this account: try again in 15 minutes/);
    // unknown meters are refused the same way while the account waits: nothing tells them apart
    expect((await attempt(guesser, meter.pin, "NO-SUCH-METER")).status).toBe(429);
    hub().clock.advance(14 * 60_000);
    expect((await attempt(guesser, meter.pin)).status).toBe(429);
    // the household's own member links its meter meanwhile: the guesser locked nothing but itself
    expect((await attempt(owner, meter.pin)).status).toBe(200);
    hub().clock.advance(61_000);
    expect((await attempt(guesser, meter.pin)).status).toBe(409);
  });

  it("PIN guesses from many accounts: after 10 wrong PINs the meter waits for a new PIN from the operator; a linked meter answers right and wrong PINs alike", async () => {
    await createCommunity(hub(), "pinlock");
    const meter = await registerMeter(hub(), "pinlock", "M-PIN", "house-p");
    const wrongPin = meter.pin === "000000" ? "111111" : "000000";
    const link = async (pin: string, token?: string) =>
      hub().call("POST", "/api/meters/link", {
        token: token ?? (await observer(hub())),
        body: { meterId: "M-PIN", pin },
      });
    // ten accounts, one guess each: no account is slowed down, but the meter counts them all
    for (let i = 0; i < 10; i++)
      expect(problemOf(await link(wrongPin)).detail).toBe("the meter id or the PIN is wrong");
    const locked = await link(meter.pin);
    expect(locked.status).toBe(422);
    expect(problemOf(locked)).toMatchObject({
      detail: expect.stringMatching(
        /took 10 wrong guesses and no longer works: ask the community's operator for a new PIN/,
      ),
      errors: [{ field: "pin", rule: "is locked: ask the operator for a new PIN" }],
    });
    // the operator issues a new PIN: the old one is gone, the new one links
    const op = await hub().operatorToken();
    const fresh = bodyOf(
      MeterRegistered,
      await hub().call("POST", "/api/communities/pinlock/meters/M-PIN/pin", { token: op }),
    );
    expect(fresh.pin).toMatch(/^\d{6}$/);
    if (fresh.pin !== meter.pin) expect((await link(meter.pin)).status).toBe(422);
    const owner = await observer(hub());
    expect((await link(fresh.pin, owner)).status).toBe(200);
    // linked: the right PIN and a wrong one get the same answer, which confirms neither
    const right = await link(fresh.pin);
    const wrong = await link(fresh.pin === "000000" ? "111111" : "000000");
    expect([right.status, wrong.status]).toEqual([409, 409]);
    expect(problemOf(right)).toEqual(problemOf(wrong));
    // no new PIN for a linked meter, nor for one the community does not have
    expect((await hub().call("POST", "/api/communities/pinlock/meters/M-PIN/pin", { token: op })).status).toBe(409);
    expect((await hub().call("POST", "/api/communities/pinlock/meters/NOPE/pin", { token: op })).status).toBe(404);
    // and only the operator issues PINs
    expect((await hub().call("POST", "/api/communities/pinlock/meters/M-PIN/pin", { token: owner })).status).toBe(403);
    // the docs say the figure the code keeps
    const doc = (f: string) => readFileSync(join(import.meta.dirname, "../../../docs", f), "utf8");
    expect(doc("protocol.md")).toContain(`after ${METER_PIN_GUESSES} wrong PINs the meter takes no PIN`);
    expect(doc("reliability.md")).toContain(`counted per meter across accounts (${METER_PIN_GUESSES}, then`);
  });

  it("names a malformed PIN", async () => {
    const token = await observer(hub());
    const r = await hub().call("POST", "/api/meters/link", { token, body: { meterId: "M-1", pin: "12ab" } });
    expect(problemOf(r).errors).toEqual([{ field: "pin", rule: "must be the 6-digit PIN from the operator" }]);
  });

  it("lets the operator unlink a meter", async () => {
    await createCommunity(hub(), "unlink");
    const token = await participant(hub(), "unlink", "house-u");
    const [m] = bodyOf(z.array(Meter), await hub().call("GET", "/api/communities/unlink/meters", { token }));
    const r = await hub().call("DELETE", `/api/communities/unlink/meters/${m?.meterId}/link`, {
      token: await hub().operatorToken(),
    });
    expect(bodyOf(Meter, r).linked).toBe(false);
    const me = bodyOf(Me, await hub().call("GET", "/api/me", { token }));
    expect(me).toMatchObject({ households: [] });
  });
});

describeEachDatabase("device tokens and privacy", (db) => {
  const hub = useHub(db);

  it("gives a household's devices a token that acts for that household only, until revoked", async () => {
    await createCommunity(hub(), "dev");
    const owner = await participant(hub(), "dev", "house-a");
    await participant(hub(), "dev", "house-b");
    const made = await hub().call("POST", "/api/communities/dev/households/house-a/device-tokens", {
      token: owner,
      body: { name: "Node-RED" },
    });
    const device = bodyOf(DeviceTokenCreated, made);
    expect(device.token).toMatch(/^olm_dev_/);
    expect(bodyOf(Me, await hub().call("GET", "/api/me", { token: device.token }))).toMatchObject({
      kind: "device",
      householdId: "house-a",
    });
    // own meters only
    const meters = bodyOf(
      z.array(Meter),
      await hub().call("GET", "/api/communities/dev/meters", { token: device.token }),
    );
    expect(meters.map((m) => m.householdId)).toEqual(["house-a"]);
    // cannot make tokens, cannot act for another household
    const other = await hub().call("POST", "/api/communities/dev/households/house-b/device-tokens", {
      token: owner,
      body: { name: "x" },
    });
    expect(other.status).toBe(403);
    expect(
      (
        await hub().call("POST", "/api/communities/dev/households/house-a/device-tokens", {
          token: device.token,
          body: { name: "y" },
        })
      ).status,
    ).toBe(403);
    // revoked: refused at once
    expect((await hub().call("DELETE", `/api/device-tokens/${device.id}`, { token: owner })).status).toBe(200);
    const after = await hub().call("GET", "/api/me", { token: device.token });
    expect(after.status).toBe(401);
  });

  it("gives a dashboard a read-only token: it reads the household's data and changes nothing", async () => {
    await createCommunity(hub(), "ro");
    const owner = await participant(hub(), "ro", "house-r");
    const ro = bodyOf(
      DeviceTokenCreated,
      await hub().call("POST", "/api/communities/ro/households/house-r/device-tokens", {
        token: owner,
        body: { name: "energy card", scope: "read" },
      }),
    );
    expect(ro).toMatchObject({ scope: "read", householdId: "house-r" });
    expect(ro.token).toMatch(/^olm_read_/);
    const statement = await hub().call("GET", "/api/communities/ro/households/house-r/statement?period=week", {
      token: ro.token,
    });
    expect(statement.status).toBe(200);
    const order = await hub().call("POST", "/api/communities/ro/households/house-r/orders", {
      token: ro.token,
      body: { orders: [] },
    });
    expect(order.status).toBe(403);
    expect(problemOf(order).detail).toMatch(/read-only token may only read/);
    const limits = await hub().call("PUT", "/api/communities/ro/households/house-r/preferences", {
      token: ro.token,
      body: {},
    });
    expect(limits.status).toBe(403);
    // still one household's: another's data stays closed
    await participant(hub(), "ro", "house-s");
    const other = await hub().call("GET", "/api/communities/ro/households/house-s/statement?period=week", {
      token: ro.token,
    });
    expect(other.status).toBe(403);
    // a device token made without a scope is a full device token, as before
    const dev = bodyOf(
      DeviceTokenCreated,
      await hub().call("POST", "/api/communities/ro/households/house-r/device-tokens", {
        token: owner,
        body: { name: "bridge" },
      }),
    );
    expect(dev.scope).toBe("device");
  });

  it("keeps the plain device token out of the database", async () => {
    await createCommunity(hub(), "hash");
    const owner = await participant(hub(), "hash", "house-h");
    const t = bodyOf(
      DeviceTokenCreated,
      await hub().call("POST", "/api/communities/hash/households/house-h/device-tokens", {
        token: owner,
        body: { name: "HA" },
      }),
    );
    const rows = await db().query<{ token_hash: string }>("SELECT token_hash FROM auth.device_tokens WHERE id = $1", [
      t.id,
    ]);
    expect(rows[0]?.token_hash).not.toContain(t.token.slice(8));
    expect(rows[0]?.token_hash.length).toBeGreaterThan(20);
  });

  it("keeps a participant's meters from other participants", async () => {
    await createCommunity(hub(), "priv");
    const a = await participant(hub(), "priv", "house-1");
    await participant(hub(), "priv", "house-2");
    const mine = bodyOf(z.array(Meter), await hub().call("GET", "/api/communities/priv/meters", { token: a }));
    expect(mine.map((m) => m.householdId)).toEqual(["house-1"]);
    const obs = bodyOf(
      z.array(Meter),
      await hub().call("GET", "/api/communities/priv/meters", { token: await observer(hub()) }),
    );
    expect(obs).toEqual([]);
    // and the login result of a participant is a proper token pair
    expect(TokenPair.safeParse({}).success).toBe(false);
    expect(MeterRegistered.safeParse({}).success).toBe(false);
  });
});
