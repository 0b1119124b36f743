import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { scratchDatabaseUrl } from "./databases.js";
import { MARKET } from "./fixtures.js";
import { callHub, type HubProcess, startHubProcess } from "./hub-process.js";

// Clearing in a process of its own: API replicas run `serve --no-clearing`, one process runs the
// scheduler, all on one PostgreSQL. An API process frozen outright (SIGSTOP: the worst a request
// could do to it) holds back no clearing.
const OP = { email: "split-op@example.org", password: "split operator password" };

describeWithRealService("postgres", "clearing in a process of its own", (pgUrl) => {
  let scratch: { url: string; drop: () => Promise<void> } | undefined;
  let clearing: HubProcess | undefined;
  let api: HubProcess | undefined;

  beforeAll(async () => {
    scratch = await scratchDatabaseUrl(pgUrl, "openlem_split");
    const env = { DATABASE_URL: scratch.url, OPENLEM_OPERATOR_EMAIL: OP.email, OPENLEM_OPERATOR_PASSWORD: OP.password };
    clearing = await startHubProcess(env, ["--speed", "600"]);
    api = await startHubProcess(env, ["--speed", "600", "--no-clearing"]);
  }, 60_000);
  afterAll(async () => {
    if (api?.child.signalCode === null) api.child.kill("SIGCONT");
    await api?.kill();
    await clearing?.kill();
    await scratch?.drop();
  });

  it("keeps clearing every slot while the API process is frozen", async () => {
    const url = api?.url ?? "";
    expect(api?.output()).toMatch(/clearing left to another process/);
    const json = async (path: string, token?: string, body?: unknown) =>
      (await callHub(url, path, token ?? null, body)).json();
    const token = (await json("/api/auth/login", undefined, OP)).accessToken as string;
    await json("/api/communities", token, { id: "split", name: "Split", market: MARKET });
    const { nextOpenSlot } = await json("/api/communities/split/clock", token);
    // at 600x a slot passes in 1.5 s: orders for slots a few ahead leave a loaded machine
    // seconds to place them before their gates close, and each placement is checked
    const slots = [4, 5, 6].map((k) => new Date(Date.parse(nextOpenSlot) + k * 900_000).toISOString());
    const place = async (household: string, body: unknown) => {
      const res = await callHub(url, `/api/communities/split/households/${household}/orders`, token, body);
      expect(res.status, await res.text()).toBe(201);
    };
    for (const slot of slots) {
      await place("a", {
        clientOrderId: `b-${slot}`,
        side: "buy",
        slot,
        energyWh: 500,
        limitPrice: 0.2,
      });
      await place("b", {
        clientOrderId: `s-${slot}`,
        side: "sell",
        slot,
        energyWh: 500,
        limitPrice: 0.1,
      });
    }
    // the API process stops dead: none of its requests, timers or queries run any more
    api?.child.kill("SIGSTOP");
    const c = new pg.Client({ connectionString: scratch?.url });
    await c.connect();
    try {
      await expect
        .poll(
          async () =>
            (
              await c.query<{ n: number }>(
                "SELECT count(*)::int AS n FROM market.clearings WHERE community_id = 'split' AND slot = ANY($1::timestamptz[])",
                [slots],
              )
            ).rows[0]?.n,
          { timeout: 30_000 },
        )
        .toBe(3);
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM market.fills WHERE community_id = 'split' AND counterparty = 'local'",
      );
      expect(rows[0]?.n).toBe(6);
    } finally {
      await c.end();
    }
    // thawed, the API answers with what the clearing process cleared meanwhile
    api?.child.kill("SIGCONT");
    const results = (await json(
      `/api/communities/split/results?from=${encodeURIComponent(slots[0] ?? "")}`,
      token,
    )) as {
      slot: string;
    }[];
    expect(results.map((r) => r.slot)).toEqual(expect.arrayContaining(slots));
  }, 120_000);
});
