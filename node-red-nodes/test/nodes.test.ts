import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clear, hubOn, seed } from "../../test-support/hub-fixture.js";
import { describeWithRealService } from "../../test-support/real-services.js";
import openlem from "../src/index.js";
import type { NodeMessage } from "../src/shared/red.js";
import { completeNode, nodeRedHelper } from "./node-red-helper.js";

const helper = nodeRedHelper("nr");

/** The next message a helper node receives (within `ms`). */
function next(id: string, ms = 15_000, where: (m: NodeMessage) => boolean = () => true): Promise<NodeMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message at ${id} within ${ms} ms`)), ms);
    helper.getNode(id).on("input", (m) => {
      if (!where(m)) return;
      clearTimeout(timer);
      resolve(m);
    });
  });
}

// the hub's clock, moved by the tests: 09:02 UTC on a June morning
let now = Date.parse("2026-06-21T09:02:00Z");

describe("the OpenLEM nodes in the Node-RED runtime, against a real hub", () => {
  let hub: RunningHub;
  let token = "";
  const config = () => ({
    id: "hub",
    type: "openlem-hub",
    url: hub.url,
    community: "c",
    household: "h",
    mqttUrl: "",
  });
  const creds = () => ({ hub: { token } });
  const rest = () => new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken: token } });

  beforeAll(async () => {
    hub = await hubOn({ now: () => new Date(now) });
    ({ deviceToken: token } = await seed(hub.url));
    await new Promise<void>((r) => helper.startServer(r));
  });
  afterEach(() => helper.unload());
  afterAll(async () => {
    await new Promise<void>((r) => helper.stopServer(r));
    await hub.close();
  });

  it("openlem-order submits valid orders, and sends invalid ones to its error output naming the field", async () => {
    await helper.load(
      openlem,
      [
        config(),
        { id: "o", type: "openlem-order", hub: "hub", wires: [["ok"], ["bad"]] },
        helper1("ok"),
        helper1("bad"),
      ],
      creds(),
    );
    const ok = next("ok");
    helper.getNode("o").receive({ payload: { side: "buy", energyWh: 400, limitPrice: 0.2 } });
    const accepted = await ok;
    const records = accepted.payload as { order: { slot: string; energyWh: number } }[];
    expect(records[0]?.order).toMatchObject({ energyWh: 400, slot: "2026-06-21T09:15:00.000Z" });
    expect((await rest().orders()).some((o) => o.order.energyWh === 400)).toBe(true);

    const bad = next("bad");
    helper.getNode("o").receive({ payload: { side: "buy", energyWh: 400, limitPrice: 7 } });
    const refused = await bad;
    const error = refused.error as { errors: { field: string; rule: string }[] };
    expect(error.errors[0]?.field).toContain("limitPrice");
    expect(refused.payload).toMatchObject({ limitPrice: 7 });

    const late = next("bad");
    helper
      .getNode("o")
      .receive({ payload: { side: "sell", energyWh: 100, limitPrice: 0.1, slot: "2026-06-21T09:00:00Z" } });
    expect(((await late).error as { message: string }).message).toMatch(/gate closed/);
  });

  it("openlem-meter reports a Home Assistant energy sensor's state as a reading once it knows both registers", async () => {
    await helper.load(
      openlem,
      [
        config(),
        { id: "m", type: "openlem-meter", hub: "hub", meterId: "m-h", unit: "kWh", wires: [["out"]] },
        helper1("out"),
      ],
      creds(),
    );
    const out = next("out");
    helper.getNode("m").receive({ topic: "import", payload: "1234.5" });
    helper.getNode("m").receive({ topic: "export", payload: "10.25" });
    const sent = await out;
    expect(sent.payload).toMatchObject({
      reading: { meterId: "m-h", importWh: 1_234_500, exportWh: 10_250, at: new Date(now).toISOString() },
      accepted: 1,
    });
  });

  it("openlem-result and openlem-price pass on each clearing result, own trades and the price forecast", async () => {
    await helper.load(
      openlem,
      [
        config(),
        { id: "r", type: "openlem-result", hub: "hub", wires: [["res"], ["own"]] },
        { id: "p", type: "openlem-price", hub: "hub", wires: [["price"]] },
        helper1("res"),
        helper1("own"),
        helper1("price"),
      ],
      creds(),
    );
    // the live feed connects, then the hub clears the slot the order test bid for
    await liveFeedUp();
    now = Date.parse("2026-06-21T09:12:00Z");
    const res = next("res");
    // the price the hub publishes once the slot cleared (an earlier, retained one may come first)
    const clearedSlot = (m: NodeMessage) =>
      (m.payload as { priceData?: { start: string; kind: string }[] }).priceData?.some(
        (e) => e.start === "2026-06-21T09:15:00.000Z" && e.kind === "cleared",
      ) === true;
    const price = next("price", 15_000, clearedSlot);
    await clear(hub.url, "2026-06-21T09:15:00.000Z");
    const result = (await res).payload as { slot: string; markets: { demandWh: number }[] };
    expect(result.slot).toBe("2026-06-21T09:15:00.000Z");
    // the 400 Wh bid of the order test is in the book
    expect(result.markets[0]?.demandWh).toBe(400);
    const p = (await price).payload as { priceData: { start: string; end: string; value: number; kind: string }[] };
    // whole community days: from today's midnight to the end of tomorrow (Europe/Amsterdam), the cleared one marked
    expect(p.priceData[0]).toMatchObject({ start: "2026-06-20T22:00:00.000Z", end: "2026-06-20T22:15:00.000Z" });
    expect(p.priceData).toHaveLength(2 * 96);
    expect(p.priceData.at(-1)?.end).toBe("2026-06-22T22:00:00.000Z");
    expect(p.priceData.find((e) => e.start === "2026-06-21T09:15:00.000Z")?.kind).toBe("cleared");
  });

  it("openlem-boiler bids for its heat by itself, switches at each slot start, and follows overrides and run-time options", async () => {
    now = Date.parse("2026-06-21T09:32:00Z");
    await helper.load(
      [openlem, completeNode],
      [
        config(),
        {
          id: "b",
          type: "openlem-boiler",
          hub: "hub",
          entity: "switch.boiler",
          tickS: "0.1",
          minTempC: "45",
          targetTempC: "55",
          maxTempC: "65",
          wires: [["cmd"], ["plan"]],
        },
        helper1("cmd"),
        helper1("plan"),
        // Node-RED's own complete node: a message each time the boiler has taken one (done())
        { id: "taken", type: "complete", scope: ["b"], wires: [["took"]] },
        helper1("took"),
      ],
      creds(),
    );
    const first = next("cmd");
    const plan = next("plan");
    // cold water, and no market plan yet for the slot under way: it heats like a thermostat
    helper.getNode("b").receive({ payload: "44.0" });
    const cmd = await first;
    expect(cmd.payload).toEqual({ action: "switch.turn_on", target: { entity_id: ["switch.boiler"] } });
    expect((cmd.decision as { mode: string }).mode).toBe("fallback");
    const schedule = (await plan).payload as { slots: { start: string; on: boolean }[] };
    expect(schedule.slots.length).toBeGreaterThan(0);
    // its orders for the next slot reached the hub under the boiler's own names
    await expect
      .poll(async () => (await rest().orders()).some((o) => o.order.clientOrderId.startsWith("boiler-")))
      .toBe(true);

    // the next slot: cleared, the boiler follows its plan; hot water: off
    await clear(hub.url, "2026-06-21T09:45:00.000Z");
    // the tank is hot before the slot starts: whatever the plan, the safety layer keeps it off
    const took = next("took");
    helper.getNode("b").receive({ payload: { tempC: 64.5 } });
    await took;
    const second = next(
      "cmd",
      15_000,
      (m) => (m.decision as { startMs: number }).startMs === Date.parse("2026-06-21T09:45:00Z"),
    );
    now = Date.parse("2026-06-21T09:45:30Z");
    const follow = await second;
    expect(follow.on).toBe(false);
    expect((follow.decision as { mode: string }).mode).toBe("plan");

    // a wrong option changes nothing; the override forces the element on at the next slot
    const tookBoth = new Promise<void>((resolve) => {
      let n = 0;
      helper.getNode("took").on("input", () => {
        if (++n === 2) resolve();
      });
    });
    helper.getNode("b").receive({ options: { maxTempC: 40 } });
    helper.getNode("b").receive({ payload: { tempC: 50, override: "on" } });
    await tookBoth;
    const forced = next(
      "cmd",
      15_000,
      (m) => (m.decision as { startMs: number }).startMs === Date.parse("2026-06-21T10:00:00Z"),
    );
    now = Date.parse("2026-06-21T10:00:30Z");
    expect((await forced).on).toBe(true);
  });

  it("openlem-battery and openlem-ev send set-points for their state and bid their own energy", async () => {
    now = Date.parse("2026-06-21T11:02:00Z");
    await helper.load(
      openlem,
      [
        config(),
        { id: "bat", type: "openlem-battery", hub: "hub", tickS: "0.1", capacityWh: "10000", wires: [["bcmd"], []] },
        { id: "ev", type: "openlem-ev", hub: "hub", tickS: "0.1", maxPowerW: "7400", wires: [["ecmd"], []] },
        helper1("bcmd"),
        helper1("ecmd"),
      ],
      creds(),
    );
    const b = next("bcmd");
    const e = next("ecmd");
    helper.getNode("bat").receive({ payload: "50" }); // a sensor's state, in %
    helper.getNode("ev").receive({ payload: { plugged: true, departure: "11:45", needKwh: 5 } });
    const bat = await b;
    expect(typeof bat.payload).toBe("number");
    expect(Math.abs(bat.payload as number)).toBeLessThanOrEqual(5000);
    const car = await e;
    // 5 kWh in 43 minutes at 7.4 kW: it must charge from the first slot on
    expect(car.payload).toBe(7400);
    await expect
      .poll(async () => (await rest().orders()).filter((o) => /^(battery|ev)-/.test(o.order.clientOrderId)).length)
      .toBeGreaterThan(0);
  });

  it("openlem-schedule turns a power-saver plan into bids that openlem-order places", async () => {
    now = Date.parse("2026-06-21T09:02:00Z");
    await helper.load(
      openlem,
      [
        config(),
        { id: "s", type: "openlem-schedule", hub: "hub", powerW: "2000", maxBuyPrice: "0.21", wires: [["o"]] },
        { id: "o", type: "openlem-order", hub: "hub", wires: [["ok"], ["bad"]] },
        helper1("ok"),
        helper1("bad"),
      ],
      creds(),
    );
    const ok = next("ok");
    // power-saver's schedule output: on at 10:00, off at 10:30 (local +02:00 times, as it sends them)
    helper.getNode("s").receive({
      payload: {
        schedule: [
          { time: "2026-06-21T11:00:00.000+02:00", value: false, countMinutes: 60 },
          { time: "2026-06-21T12:00:00.000+02:00", value: true, countMinutes: 30 },
          { time: "2026-06-21T12:30:00.000+02:00", value: false, countMinutes: 30 },
        ],
        minutes: [{ start: "2026-06-21T12:59:00.000+02:00", price: 0.2, onOff: false, saving: null }],
        source: "OpenLEM",
      },
    });
    const records = (await ok).payload as { order: { slot: string; energyWh: number; limitPrice: number } }[];
    // 2 kW for 15 minutes in each of the two slots: 500 Wh each, at the node's limit
    expect(records.map((r) => r.order)).toEqual([
      expect.objectContaining({ slot: "2026-06-21T10:00:00.000Z", energyWh: 500, limitPrice: 0.21 }),
      expect.objectContaining({ slot: "2026-06-21T10:15:00.000Z", energyWh: 500, limitPrice: 0.21 }),
    ]);
    const stored = (await rest().orders()).filter((o) => o.order.slot.startsWith("2026-06-21T10:"));
    expect(stored.map((o) => o.order.energyWh)).toEqual([500, 500]);
  });
});

/** Waits until the openlem-hub config node's live feed is connected (instead of a fixed sleep). */
async function liveFeedUp(): Promise<void> {
  const hubNode = helper.getNode("hub") as unknown as { connection?: { state: { kind: string } } };
  await expect.poll(() => hubNode.connection?.state.kind, { timeout: 15_000 }).toBe("connected");
}

function helper1(id: string) {
  return { id, type: "helper" };
}

describeWithRealService("mqtt", "the OpenLEM nodes with the hub on an external broker", (url) => {
  let hub: RunningHub;
  let token = "";
  // the broker outlives the test: a community of its own, so no retained result of an earlier run counts
  const community = `nr${Date.now().toString(36)}`;
  beforeAll(async () => {
    hub = await hubOn({ now: () => new Date(now), mqttUrl: url });
    ({ deviceToken: token } = await seed(hub.url, community));
    await new Promise<void>((r) => helper.startServer(r));
  });
  afterEach(() => helper.unload());
  afterAll(async () => {
    await new Promise<void>((r) => helper.stopServer(r));
    await hub.close();
  });

  it("openlem-result takes the results from the broker the hub publishes to", async () => {
    now = Date.parse("2026-06-22T09:02:00Z");
    await helper.load(
      openlem,
      [
        { id: "hub", type: "openlem-hub", url: hub.url, community, household: "h", mqttUrl: url },
        { id: "r", type: "openlem-result", hub: "hub", wires: [["res"], []] },
        helper1("res"),
      ],
      { hub: { token } },
    );
    await liveFeedUp();
    now = Date.parse("2026-06-22T09:11:00Z");
    const res = next("res", 15_000, (m) => (m.payload as { slot: string }).slot === "2026-06-22T09:15:00.000Z");
    await clear(hub.url, "2026-06-22T09:15:00.000Z", community);
    expect((await res).payload).toMatchObject({ communityId: community, commodity: "electricity" });
  });
});
