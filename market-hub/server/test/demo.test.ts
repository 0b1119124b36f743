import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Me, SlotResult, Statement, TokenPair } from "@openlem/protocol";
import { afterAll, expect, it } from "vitest";
import { z } from "zod";
import { configFromEnv } from "../src/config.js";
import { DEMO_HOUSEHOLDS } from "../src/demo/households.js";
import { DEMO_NEWCOMER, DEMO_OPERATOR, DEMO_PARTICIPANT, type RunningDemo, runDemo } from "../src/demo/run.js";

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
  // the test moves the demo's clock itself, five market minutes a step: no race with the wall clock
  let now = Date.parse("2026-06-10T08:00:00Z");
  const progress: number[] = [];
  demo = await runDemo({
    config: configFromEnv({}, { port: 0, mqttPort: 0, dataDir: "memory://", logLevel: "silent" }),
    speed: 1,
    now: () => new Date(now),
    historyHours: 2,
    onHistory: (done, total) => {
      progress.push(done / total);
    },
  });
  expect(progress.at(-1)).toBe(1);
  const running = demo;
  const step = async () => {
    now += 5 * 60_000;
    await running.step();
  };
  const u = demo.hub.url;
  const login = TokenPair.parse(await json(`${u}/api/auth/login`, { body: DEMO_PARTICIPANT }));
  const linked = await json(`${u}/api/meters/link`, { token: login.accessToken, body: demo.linkMeter });
  // a household of the newcomer's own, which the demo does not simulate
  expect(linked).toMatchObject({ householdId: DEMO_NEWCOMER.householdId, linked: true });
  expect(DEMO_HOUSEHOLDS.map((h) => h.id)).not.toContain(DEMO_NEWCOMER.householdId);
  expect(Me.parse(await json(`${u}/api/me`, { token: login.accessToken }))).toMatchObject({ role: "participant" });
  // from the first minute, the two hours before have traded and cleared: pages and charts have data
  const history = z
    .array(SlotResult)
    .parse(await json(`${u}/api/communities/demo/results`, { token: login.accessToken }))
    .filter((r) => Date.parse(r.slot) < now);
  expect(history.length).toBeGreaterThanOrEqual(7);
  expect(history.filter((r) => (r.markets[0]?.buyOrders ?? 0) > 0).length).toBeGreaterThanOrEqual(7);
  let results: SlotResult[] = [];
  for (let i = 0; i < 24 && results.filter((r) => (r.markets[0]?.buyOrders ?? 0) > 0).length < 2; i++) {
    await step();
    results = z.array(SlotResult).parse(await json(`${u}/api/communities/demo/results`, { token: login.accessToken }));
  }
  // the households' bids reached the market and cleared
  expect(results.filter((r) => (r.markets[0]?.buyOrders ?? 0) > 0).length).toBeGreaterThanOrEqual(2);
  // the newcomer's statement holds nothing the simulated households did
  const mine = Statement.parse(
    await json(`${u}/api/communities/demo/households/${DEMO_NEWCOMER.householdId}/statement`, {
      token: TokenPair.parse(await json(`${u}/api/auth/login`, { body: DEMO_PARTICIPANT })).accessToken,
    }),
  );
  expect(mine.lines).toEqual([]);
  // and a simulated household's statement fills up as its meter reports (as the operator sees it)
  let statement: Statement | undefined;
  for (let i = 0; i < 24 && !statement?.lines.some((l) => l.kind.startsWith("deviation")); i++) {
    await step();
    const token = TokenPair.parse(await json(`${u}/api/auth/login`, { body: DEMO_OPERATOR })).accessToken;
    statement = Statement.parse(await json(`${u}/api/communities/demo/households/house-1/statement`, { token }));
  }
  // some trade (local or with the utility, depending on the time of day) and a deviation
  const trades = ["local-buy", "utility-buy", "local-sell", "utility-sell"];
  expect(statement?.lines.some((l) => trades.includes(l.kind))).toBe(true);
  expect(statement?.lines.some((l) => l.kind.startsWith("deviation"))).toBe(true);
}, 30_000);

it("a fast demo restarted on its data resumes its market clock where it stopped, never behind", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "openlem-demo-"));
  const config = configFromEnv({}, { port: 0, mqttPort: 0, dataDir, logLevel: "silent" });
  const first = await runDemo({ config, speed: 3600, historyHours: 1 });
  // the market runs an hour a second: wait until it is well ahead of the wall clock
  await expect.poll(() => first.hub.ctx.now().getTime() - Date.now(), { interval: 100 }).toBeGreaterThan(20 * 60_000);
  const stoppedAt = first.hub.ctx.now().getTime();
  await first.stop();
  // restarted at once, its clock would run back to the wall clock, 20 minutes and more behind
  const again = await runDemo({ config, speed: 3600, historyHours: 1 });
  try {
    expect(again.hub.ctx.now().getTime()).toBeGreaterThanOrEqual(stoppedAt - 1_000);
    // the newcomer's meter, not linked yet, comes with a new PIN (the same minute or not), and it links
    expect(again.linkMeter).toMatchObject({ meterId: first.linkMeter.meterId, pin: expect.stringMatching(/^\d{6}$/) });
    const login = TokenPair.parse(await json(`${again.hub.url}/api/auth/login`, { body: DEMO_PARTICIPANT }));
    expect(
      await json(`${again.hub.url}/api/meters/link`, { token: login.accessToken, body: again.linkMeter }),
    ).toMatchObject({
      linked: true,
    });
    // and it goes on trading: new slots clear after the restart
    const before = stoppedAt;
    await expect
      .poll(async () => {
        const [row] = await again.hub.ctx.db.query<{ last: Date | null }>(
          "SELECT max(slot) AS last FROM market.clearings",
        );
        return (row?.last?.getTime() ?? 0) > before;
      })
      .toBe(true);
  } finally {
    await again.stop();
  }
}, 60_000);

it("restarts at any moment (the same minute, the same slot, later) and is ready only once it trades live", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "openlem-demo-"));
  const config = configFromEnv({}, { port: 0, mqttPort: 0, dataDir, logLevel: "silent" });
  let now = Date.parse("2026-06-10T09:02:00Z");
  const clock = () => new Date(now);
  const probes: { statusCode: number; body: string }[] = [];
  const first = await runDemo({
    config,
    speed: 1,
    now: clock,
    historyHours: 1,
    // readiness while the day before plays, asked of the hub that already serves
    onHistory: async (done, _total, hub) => {
      if (done === 1) probes.push(await hub.app.inject({ method: "GET", url: "/readyz" }));
    },
  });
  const [during] = probes;
  expect(during?.statusCode).toBe(503);
  expect(JSON.parse(during?.body ?? "{}")).toMatchObject({
    status: "unavailable",
    reason: expect.stringMatching(/the demo is playing the day before it opens: step 1 of \d+/),
  });
  expect((await first.hub.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
  // ten minutes on: the meters have reported the slot that ended at 09:00 and the one at 09:15 is under way
  now += 10 * 60_000;
  await first.step();
  await first.stop();
  const readings = async (d: RunningDemo) =>
    (await d.hub.ctx.db.query<{ n: number }>("SELECT count(*)::int AS n FROM market.readings"))[0]?.n ?? 0;
  // the same minute, then the same slot a minute later, then the next slot: each comes up and trades on
  for (const later of [0, 60_000, 15 * 60_000]) {
    now += later;
    const again = await runDemo({ config, speed: 1, now: clock, historyHours: 1 });
    try {
      expect((await again.hub.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
      const before = await readings(again);
      now += 15 * 60_000;
      await again.step();
      // the meters go on from their last registers: the slot's readings were taken
      expect(await readings(again)).toBeGreaterThan(before);
    } finally {
      await again.stop();
    }
  }
}, 60_000);
