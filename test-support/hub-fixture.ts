import { createServer } from "node:net";
import { configFromEnv, type RunningHub, startHub } from "@openlem/hub";
import { DeviceTokenCreated, MeterRegistered, TokenPair } from "@openlem/protocol";

export const OPERATOR = { email: "op@example.org", password: "operator password" };
export const MEMBER = { email: "member@example.org", password: "member password" };

/** A free TCP port on loopback (so a restarted hub can come back on the same ports). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface HubSetup {
  port?: number;
  mqttPort?: number;
  dataDir?: string;
  now?: () => Date;
  /** The clearing scheduler's tick (ms); 0 (default): no scheduler, tests clear by hand. */
  tickMs?: number;
  /** An external broker instead of the embedded one. */
  mqttUrl?: string;
  /** Web pages allowed to call the API from a browser. */
  corsOrigins?: string[];
}

export function hubOn(o: HubSetup): Promise<RunningHub> {
  const config = configFromEnv(
    {},
    {
      port: o.port ?? 0,
      mqttPort: o.mqttPort ?? 0,
      dataDir: o.dataDir ?? "memory://",
      logLevel: "silent",
      ...(o.mqttUrl ? { mqttUrl: o.mqttUrl } : {}),
      ...(o.corsOrigins ? { corsOrigins: o.corsOrigins } : {}),
    },
  );
  return startHub({ config, operator: OPERATOR, tickMs: o.tickMs ?? 0, ...(o.now ? { now: o.now } : {}) });
}

async function post(url: string, token: string | undefined, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return res.json();
}

export async function operatorToken(hubUrl: string): Promise<string> {
  return TokenPair.parse(await post(`${hubUrl}/api/auth/login`, undefined, OPERATOR)).accessToken;
}

/**
 * Community "c" (or `c`) with household "h" (linked to MEMBER) and its device, read-only and Home
 * Assistant tokens.
 * Tests on a shared external broker name their own community: retained messages of an
 * earlier run would otherwise stand in for this run's.
 */
export async function seed(
  hubUrl: string,
  c = "c",
): Promise<{ deviceToken: string; deviceTokenId: number; readToken: string; haToken: string }> {
  const op = await operatorToken(hubUrl);
  const market = { timeZone: "Europe/Amsterdam", retailPrice: 0.22, feedInTariff: 0.09, priceFloor: 0, priceCap: 0.5 };
  await post(`${hubUrl}/api/communities`, op, { id: c, name: c.toUpperCase(), market });
  const meter = MeterRegistered.parse(
    await post(`${hubUrl}/api/communities/${c}/meters`, op, {
      meterId: c === "c" ? "m-h" : `${c}-m-h`,
      householdId: "h",
    }),
  );
  const member = await account(hubUrl, MEMBER);
  await post(`${hubUrl}/api/meters/link`, member, { meterId: meter.meterId, pin: meter.pin });
  const device = DeviceTokenCreated.parse(
    await post(`${hubUrl}/api/communities/${c}/households/h/device-tokens`, member, { name: "test" }),
  );
  // a seller in another household, so that slots trade locally
  const other = MeterRegistered.parse(
    await post(`${hubUrl}/api/communities/${c}/meters`, op, {
      meterId: c === "c" ? "m-s" : `${c}-m-s`,
      householdId: "s",
    }),
  );
  const seller = await account(hubUrl, { email: "s@example.org", password: "seller password" });
  await post(`${hubUrl}/api/meters/link`, seller, { meterId: other.meterId, pin: other.pin });
  const read = DeviceTokenCreated.parse(
    await post(`${hubUrl}/api/communities/${c}/households/h/device-tokens`, member, {
      name: "dashboard",
      scope: "read",
    }),
  );
  // Home Assistant's own MQTT login (README step 3)
  const ha = DeviceTokenCreated.parse(
    await post(`${hubUrl}/api/communities/${c}/households/h/device-tokens`, member, {
      name: "Home Assistant",
      scope: "home-assistant",
    }),
  );
  return { deviceToken: device.token, deviceTokenId: device.id, readToken: read.token, haToken: ha.token };
}

/** A person's access token: registered on the first seed, logged in on a second one (another community). */
async function account(hubUrl: string, creds: { email: string; password: string }): Promise<string> {
  const registered = TokenPair.safeParse(await post(`${hubUrl}/api/auth/register`, undefined, creds));
  if (registered.success) return registered.data.accessToken;
  return TokenPair.parse(await post(`${hubUrl}/api/auth/login`, undefined, creds)).accessToken;
}

/** Revokes a device token as the operator (what the admin page's revoke button does). */
export async function revokeToken(hubUrl: string, id: number): Promise<void> {
  const res = await fetch(`${hubUrl}/api/device-tokens/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${await operatorToken(hubUrl)}` },
  });
  if (!res.ok) throw new Error(`revoking device token ${id}: HTTP ${res.status}`);
}

/** The household h's member's access token (what the participant pages act with). */
export async function memberToken(hubUrl: string): Promise<string> {
  return TokenPair.parse(await post(`${hubUrl}/api/auth/login`, undefined, MEMBER)).accessToken;
}

export async function sellerToken(hubUrl: string): Promise<string> {
  return TokenPair.parse(
    await post(`${hubUrl}/api/auth/login`, undefined, { email: "s@example.org", password: "seller password" }),
  ).accessToken;
}

export async function clear(hubUrl: string, slot: string, c = "c"): Promise<void> {
  await post(`${hubUrl}/api/communities/${c}/clearings`, await operatorToken(hubUrl), { slot });
}

export { post };
