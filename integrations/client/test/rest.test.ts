import { createServer, type Server } from "node:http";
import type { RunningHub } from "@openlem/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, hubOn, MEMBER, seed } from "../../../test-support/hub-fixture.js";
import { HubError, HubRest } from "../src/index.js";

const SLOT = "2026-06-21T10:15:00.000Z";
const now = () => new Date("2026-06-21T09:00:00Z");

describe("REST against a real hub", () => {
  let hub: RunningHub;
  let deviceToken = "";
  beforeAll(async () => {
    hub = await hubOn({ now });
    ({ deviceToken } = await seed(hub.url));
  });
  afterAll(async () => {
    await hub.close();
  });

  it("submits orders with a device token, idempotently, and reads them back typed", async () => {
    const rest = new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken } });
    const order = { clientOrderId: "o-1", side: "buy" as const, slot: SLOT, energyWh: 800, limitPrice: 0.2 };
    const first = await rest.submitOrder(order);
    expect(first).toMatchObject({ status: "open", householdId: "h", order: { slot: SLOT } });
    expect((await rest.submitOrder(order)).id).toBe(first.id);
    const batch = await rest.submitOrders([
      { ...order, clientOrderId: "o-2" },
      { ...order, clientOrderId: "o-3" },
    ]);
    expect(batch).toHaveLength(2);
    expect((await rest.orders()).map((o) => o.order.clientOrderId)).toEqual(["o-1", "o-2", "o-3"]);
    expect(await rest.me()).toMatchObject({ kind: "device", householdId: "h" });
    expect((await rest.clock()).nextOpenSlot).toBe("2026-06-21T09:15:00.000Z");
  });

  it("turns a refusal into a HubError naming the field and the rule", async () => {
    const rest = new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken } });
    const err = await rest
      .submitOrder({ clientOrderId: "bad", side: "buy", slot: SLOT, energyWh: 800, limitPrice: 0.9 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(HubError);
    expect(err).toMatchObject({
      status: 422,
      unreachable: false,
      errors: [{ field: "limitPrice", rule: "must lie between the price floor 0 and cap 0.5" }],
    });
    expect(String(err.message)).toContain("limitPrice: must lie between");
  });

  it("logs a person in, refreshes an expired access token, and logs in again when the refresh token is gone", async () => {
    const rest = new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: MEMBER });
    expect(await rest.me()).toMatchObject({ kind: "user", role: "participant" });
    const tokens = rest as unknown as { tokens: { access: string; refresh?: string } };
    tokens.tokens = { ...tokens.tokens, access: "expired" };
    expect((await rest.statement("day", "2026-06-21")).householdId).toBe("h");
    tokens.tokens = { access: "expired", refresh: "olm_rt_gone" };
    expect(await rest.me()).toMatchObject({ kind: "user" });
  });
});

/**
 * Fault stand-ins (named as such): a tiny HTTP server that answers with scripted statuses, for
 * faults a real hub does not produce on demand (503 bursts, a hub that is gone).
 */
describe("retries, with a scripted fault stand-in", () => {
  let server: Server;
  let url = "";
  let script: { status: number; body: unknown }[] = [];
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      const next = script.shift() ?? { status: 500, body: {} };
      res.writeHead(next.status, { "content-type": "application/json" }).end(JSON.stringify(next.body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  const rest = () =>
    new HubRest({
      url,
      communityId: "c",
      householdId: "h",
      auth: { deviceToken: "olm_dev_x" },
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });

  it("retries 503s with backoff until the hub answers", async () => {
    requests = 0;
    script = [
      { status: 503, body: {} },
      { status: 503, body: {} },
      { status: 200, body: { kind: "device", tokenId: 1, communityId: "c", householdId: "h", scope: "device" } },
    ];
    expect(await rest().me()).toMatchObject({ householdId: "h" });
    expect(requests).toBe(3);
  });

  it("never retries a 4xx", async () => {
    requests = 0;
    script = [
      {
        status: 422,
        body: { title: "Unprocessable content", detail: "refused", errors: [{ field: "slot", rule: "gate closed" }] },
      },
    ];
    await expect(rest().me()).rejects.toMatchObject({ status: 422, errors: [{ field: "slot", rule: "gate closed" }] });
    expect(requests).toBe(1);
  });

  it("reports an unreachable hub after its retries", async () => {
    const gone = new HubRest({
      url: `http://127.0.0.1:${await freePort()}`,
      communityId: "c",
      householdId: "h",
      auth: { deviceToken: "olm_dev_x" },
      retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 10 },
    });
    await expect(gone.me()).rejects.toMatchObject({ status: 0, unreachable: true });
  });
});
