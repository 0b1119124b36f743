import { Me, SlotResult, Statement, TokenPair } from "@openlem/protocol";
import { afterAll, expect, it } from "vitest";
import { z } from "zod";
import { configFromEnv } from "../src/config.js";
import { DEMO_PARTICIPANT, type RunningDemo, runDemo } from "../src/demo/run.js";

let demo: RunningDemo | undefined;
afterAll(async () => {
  await demo?.stop();
});

async function json(url: string, init: { token?: string; body?: unknown } = {}): Promise<unknown> {
  const res = await fetch(url, {
    method: init.body === undefined ? "GET" : "POST",
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return res.json();
}

it("runs the demo: households bid, slots clear, and a newcomer can log in and link the printed meter", async () => {
  demo = await runDemo({
    config: configFromEnv({}, { port: 0, mqttPort: 0, dataDir: "memory://", logLevel: "silent" }),
    speed: 3600,
  });
  const u = demo.hub.url;
  const login = TokenPair.parse(await json(`${u}/api/auth/login`, { body: DEMO_PARTICIPANT }));
  const linked = await json(`${u}/api/meters/link`, { token: login.accessToken, body: demo.linkMeter });
  expect(linked).toMatchObject({ householdId: "house-1", linked: true });
  expect(Me.parse(await json(`${u}/api/me`, { token: login.accessToken }))).toMatchObject({ role: "participant" });
  // 600x: a 15-minute slot passes in 1.5 seconds
  let results: SlotResult[] = [];
  for (let i = 0; i < 80 && results.filter((r) => (r.markets[0]?.buyOrders ?? 0) > 0).length < 2; i++) {
    await new Promise((r) => setTimeout(r, 250));
    results = z.array(SlotResult).parse(await json(`${u}/api/communities/demo/results`, { token: login.accessToken }));
  }
  // the households' bids reached the market and cleared
  expect(results.filter((r) => (r.markets[0]?.buyOrders ?? 0) > 0).length).toBeGreaterThanOrEqual(2);
  // and the linked household's statement fills up as its meter reports
  let statement: Statement | undefined;
  for (let i = 0; i < 80 && !statement?.lines.some((l) => l.kind.startsWith("deviation")); i++) {
    await new Promise((r) => setTimeout(r, 250));
    const token = TokenPair.parse(await json(`${u}/api/auth/login`, { body: DEMO_PARTICIPANT })).accessToken;
    statement = Statement.parse(await json(`${u}/api/communities/demo/households/house-1/statement`, { token }));
  }
  // some trade (local or with the utility, depending on the time of day) and a deviation
  const trades = ["local-buy", "utility-buy", "local-sell", "utility-sell"];
  expect(statement?.lines.some((l) => trades.includes(l.kind))).toBe(true);
  expect(statement?.lines.some((l) => l.kind.startsWith("deviation"))).toBe(true);
}, 30_000);
