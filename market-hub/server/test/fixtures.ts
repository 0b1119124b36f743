import { Community, Me, MeterRegistered, TokenPair } from "@openlem/protocol";
import { expect } from "vitest";
import { bodyOf, type TestHub } from "./hub.js";

export const MARKET = {
  timeZone: "Europe/Amsterdam",
  retailPrice: 0.22,
  feedInTariff: 0.09,
  priceFloor: 0,
  priceCap: 0.5,
};

export async function createCommunity(hub: TestHub, id: string, market: object = MARKET): Promise<Community> {
  const r = await hub.call("POST", "/api/communities", {
    token: await hub.operatorToken(),
    body: { id, name: `Community ${id}`, market },
  });
  expect(r.status).toBe(201);
  return bodyOf(Community, r);
}

export async function registerMeter(hub: TestHub, communityId: string, meterId: string, householdId: string) {
  const r = await hub.call("POST", `/api/communities/${communityId}/meters`, {
    token: await hub.operatorToken(),
    body: { meterId, householdId, source: "pv" },
  });
  expect(r.status).toBe(201);
  return bodyOf(MeterRegistered, r);
}

let users = 0;

/** A registered user with a linked meter: a participant of that household. Returns an access token. */
export async function participant(hub: TestHub, communityId: string, householdId: string): Promise<string> {
  const meter = await registerMeter(hub, communityId, `m-${householdId}-${++users}`, householdId);
  const reg = await hub.call("POST", "/api/auth/register", {
    body: { email: `${householdId}-${users}@example.org`, password: "participant password" },
  });
  const token = bodyOf(TokenPair, reg).accessToken;
  const link = await hub.call("POST", "/api/meters/link", { token, body: { meterId: meter.meterId, pin: meter.pin } });
  expect(link.status).toBe(200);
  const me = bodyOf(Me, await hub.call("GET", "/api/me", { token }));
  expect(me).toMatchObject({ role: "participant" });
  return token;
}

export async function observer(hub: TestHub): Promise<string> {
  const reg = await hub.call("POST", "/api/auth/register", {
    body: { email: `observer-${++users}@example.org`, password: "observer password" },
  });
  return bodyOf(TokenPair, reg).accessToken;
}

/** Logs in as the first member registered for a household by participant(): an access token. */
export async function loginAs(hub: TestHub, householdId: string): Promise<string> {
  const rows = await hub.ctx.db.query<{ email: string }>(
    "SELECT email FROM auth.users WHERE email LIKE $1 ORDER BY id LIMIT 1",
    [`${householdId}-%`],
  );
  const email = rows[0]?.email;
  if (!email) throw new Error(`no member registered for household ${householdId}`);
  return hub.login(email, "participant password");
}
