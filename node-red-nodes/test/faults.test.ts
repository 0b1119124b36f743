import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort, hubOn, revokeToken, seed } from "../../test-support/hub-fixture.js";
import openlem from "../src/index.js";
import type { NodeMessage } from "../src/shared/red.js";
import { nodeRedHelper } from "./node-red-helper.js";

/**
 * The device, order and meter nodes when things go wrong, in the real Node-RED runtime
 * (node-red-node-test-helper) against a real hub: a limit crossed mid-slot, a token revoked
 * mid-run, the hub killed and restarted, no hub at all, and the node closed. Each test
 * asserts the commands the node actually sent and when.
 */
const helper = nodeRedHelper("nr-faults");

/** The hub's clock: a fixed instant the tests move, or (for the revoked token) running in real time. */
let clock: () => number = () => Date.parse("2026-06-24T09:02:00Z");

describe("the OpenLEM nodes when things go wrong, in the Node-RED runtime", () => {
  let hub: RunningHub;
  let port = 0;
  let dataDir = "";
  let token = "";
  let tokenId = 0;
  const start = () => hubOn({ now: () => new Date(clock()), port, dataDir });
  const config = () => ({ id: "hub", type: "openlem-hub", url: hub.url, community: "c", household: "h", mqttUrl: "" });
  const rest = () =>
    new HubRest({
      url: hub.url,
      communityId: "c",
      householdId: "h",
      auth: { deviceToken: token },
      retry: { retries: 0 },
    });
  /** Every message the helper node `id` gets, and every status the node `of` shows. */
  const inbox = (id: string) => {
    const got: NodeMessage[] = [];
    helper.getNode(id).on("input", (m) => got.push(m));
    return got;
  };
  const statuses = (of: string) => {
    const got: string[] = [];
    helper.getNode(of).on("call:status", (c) => got.push(c.args[0]?.text ?? ""));
    return got;
  };
  const boiler = (extra: Record<string, unknown> = {}) => ({
    id: "b",
    type: "openlem-boiler",
    hub: "hub",
    tickS: "0.2",
    minTempC: "45",
    targetTempC: "55",
    maxTempC: "65",
    wires: [["cmd"], []],
    ...extra,
  });

  /** An order node (outputs to ook and obad) and a meter node of `meterId` (output to mout). */
  const orderAndMeter = (meterId: string) => [
    { id: "o", type: "openlem-order", hub: "hub", wires: [["ook"], ["obad"]] },
    { id: "m", type: "openlem-meter", hub: "hub", meterId, unit: "Wh", registers: "import-export", wires: [["mout"]] },
    { id: "ook", type: "helper" },
    { id: "obad", type: "helper" },
    { id: "mout", type: "helper" },
  ];

  beforeAll(async () => {
    port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), "openlem-nr-hub-"));
    hub = await start();
    ({ deviceToken: token, deviceTokenId: tokenId } = await seed(hub.url));
    await new Promise<void>((r) => helper.startServer(r));
  });
  afterAll(async () => {
    await new Promise<void>((r) => helper.stopServer(r));
    await hub.close();
  });
  afterEach(() => helper.unload());
  beforeEach(() => {
    clock = () => Date.parse("2026-06-24T09:02:00Z");
  });

  it("boiler: over its maximum mid-slot it is switched off at once, under its minimum on at once", async () => {
    // a slow timer: what reacts below is the temperature message itself
    await helper.load(openlem, [config(), boiler({ tickS: "60" }), { id: "cmd", type: "helper" }], {
      hub: { token },
    });
    const cmds = inbox("cmd");
    helper.getNode("b").receive({ payload: "44" });
    await expect.poll(() => cmds.length).toBe(1);
    expect(cmds[0]).toMatchObject({ on: true, decision: { startMs: Date.parse("2026-06-24T09:00:00Z") } });
    clock = () => Date.parse("2026-06-24T09:06:00Z");
    helper.getNode("b").receive({ payload: "70" });
    await expect.poll(() => cmds.length).toBe(2);
    expect(cmds[1]).toMatchObject({
      on: false,
      payload: "off",
      decision: { startMs: Date.parse("2026-06-24T09:00:00Z") },
    });
    expect((cmds[1]?.decision as { why: string[] } | undefined)?.why[0]).toMatch(
      /boiler: off now, the water reached its maximum/,
    );
    // the tap drains it: on again at once
    helper.getNode("b").receive({ payload: { tempC: 41 } });
    await expect.poll(() => cmds.length).toBe(3);
    expect(cmds[2]).toMatchObject({ on: true });
  });

  it("boiler: closing the node (redeploy, removal, Node-RED stopping) hands the element back to its thermostat", async () => {
    await helper.load(openlem, [config(), boiler({ tickS: "60" }), { id: "cmd", type: "helper" }], {
      hub: { token },
    });
    const cmds = inbox("cmd");
    helper.getNode("b").receive({ payload: "60" });
    await expect.poll(() => cmds.length).toBe(1);
    expect(cmds[0]).toMatchObject({ on: false });
    // what Node-RED does to a node on a redeploy or when it stops: close it (the wire to the
    // Home Assistant action node still stands)
    await (helper.getNode("b") as unknown as { close(removed: boolean): Promise<void> }).close(false);
    await expect.poll(() => cmds.length).toBe(2);
    expect(cmds[1]).toMatchObject({ on: true, payload: "on", handBack: true });
  });

  it("boiler without a hub: runs under local control, heats the cold tank and says why", async () => {
    await helper.load(openlem, [boiler({ hub: "" }), { id: "cmd", type: "helper" }]);
    const cmds = inbox("cmd");
    const shown = statuses("b");
    // before the first temperature: the missing hub is said already, not just "waiting"
    await expect
      .poll(() => shown.at(-1))
      .toBe("local control: no hub: choose an openlem-hub; waiting for the tank temperature");
    helper.getNode("b").receive({ payload: "40" });
    await expect.poll(() => cmds.length).toBeGreaterThanOrEqual(1);
    expect(cmds[0]).toMatchObject({ on: true, decision: { mode: "fallback" } });
    await expect.poll(() => shown.at(-1)).toMatch(/^local control: no hub: choose an openlem-hub/);
  });

  it("boiler: a token revoked mid-run ends in local control; the cold tank heats at once and at the next slot start", async () => {
    // the hub's clock runs in real time here, 3 s before 09:15: without the hub the node can only follow its own clock
    const t0 = Date.now();
    const base = Date.parse("2026-06-24T09:14:57Z");
    clock = () => base + (Date.now() - t0);
    await helper.load(openlem, [config(), boiler(), { id: "cmd", type: "helper" }], { hub: { token } });
    const cmds = inbox("cmd");
    const shown = statuses("b");
    helper.getNode("b").receive({ payload: "50" });
    await expect.poll(() => cmds.length).toBeGreaterThanOrEqual(1);
    await revokeToken(hub.url, tokenId);
    helper.getNode("b").receive({ payload: "40" });
    await expect.poll(() => cmds.some((m) => m.on === true)).toBe(true);
    // 09:15: the next slot starts with the element on, under local control
    await expect
      .poll(
        () => cmds.find((m) => (m.decision as { startMs: number }).startMs === Date.parse("2026-06-24T09:15:00Z")),
        {
          timeout: 15_000,
        },
      )
      .toMatchObject({ on: true });
    await expect.poll(() => shown.at(-1)).toMatch(/^local control: the hub refused the device token/);
    // a fresh token for the tests after this one
    ({ deviceToken: token } = await seedToken(hub.url));
  });

  it.each([
    ["boiler min 70 > max 65", boiler({ minTempC: "70", maxTempC: "65" }), /minTempC: must be below targetTempC/],
    ["boiler min = target", boiler({ minTempC: "55" }), /minTempC: must be below targetTempC/],
    ["boiler target > max", boiler({ targetTempC: "70" }), /targetTempC: must not exceed maxTempC/],
    ["boiler anti-legionella > max", boiler({ legionellaTempC: "70" }), /legionellaTempC: must not exceed maxTempC/],
    ["boiler heater power written as 3e3", boiler({ heaterW: "3e3" }), /heaterW: must be a number/],
  ])(
    "boiler with contradictory settings (%s): hands the element back to its thermostat, red, and keeps doing so",
    async (_, def, rule) => {
      await helper.load(openlem, [config(), def, { id: "cmd", type: "helper" }], { hub: { token } });
      const cmds = inbox("cmd");
      const shown = statuses("b");
      const errors: string[] = [];
      (helper.getNode("b") as unknown as { on(e: "call:error", f: (c: { args: [unknown] }) => void): void }).on(
        "call:error",
        (c) => errors.push(String(c.args[0])),
      );
      // once the flow is up, before any state arrives
      await expect.poll(() => cmds.length).toBe(1);
      expect(cmds[0]).toMatchObject({ on: true, payload: "on", handBack: true, decision: { mode: "fallback" } });
      expect((cmds[0]?.decision as { why: string[] } | undefined)?.why[0]).toMatch(rule);
      // every message gets the element handed back again, and an error naming the rule (for a Catch node)
      helper.getNode("b").receive({ payload: "30" });
      await expect.poll(() => cmds.length).toBe(2);
      expect(cmds[1]).toMatchObject({ on: true, handBack: true });
      await expect.poll(() => errors.at(-1) ?? "").toMatch(rule);
      expect(errors.at(-1)).toMatch(/fix the node's settings and deploy/);
      expect(shown.at(-1)).toMatch(/^handed back; settings refused: /);
      expect(shown.at(-1)).toMatch(rule);
    },
  );

  it("battery with minSoc 0.9 above maxSoc 0.5, and an EV charger of 0 W: each hands its device back", async () => {
    await helper.load(
      openlem,
      [
        config(),
        { id: "bat", type: "openlem-battery", hub: "hub", minSoc: "0.9", maxSoc: "0.5", wires: [["cmd"], []] },
        { id: "car", type: "openlem-ev", hub: "hub", entity: "number.wallbox", maxPowerW: "0", wires: [["cmd"], []] },
        { id: "cmd", type: "helper" },
      ],
      { hub: { token } },
    );
    const cmds = inbox("cmd");
    const battery = statuses("bat");
    helper.getNode("bat").receive({ payload: "50" });
    await expect.poll(() => cmds.filter((m) => m.topic === "battery").length).toBeGreaterThanOrEqual(2);
    for (const m of cmds.filter((c) => c.topic === "battery"))
      expect(m).toMatchObject({ powerW: 0, payload: 0, handBack: true });
    expect(battery.at(-1)).toMatch(/minSoc: must be below maxSoc/);
    // the charger's own power is refused: the charger gets its default power back, on its entity
    expect(cmds.find((m) => m.topic === "number.wallbox")).toMatchObject({
      powerW: 11_000,
      handBack: true,
      payload: { action: "number.set_value", target: { entity_id: ["number.wallbox"] }, data: { value: 11_000 } },
    });
  });

  it("refuses a payload it cannot read in words a user understands, and keeps going", async () => {
    await helper.load(openlem, [boiler({ hub: "" }), { id: "cmd", type: "helper" }]);
    const errors: string[] = [];
    (helper.getNode("b") as unknown as { on(e: "call:error", f: (c: { args: [string] }) => void): void }).on(
      "call:error",
      (c) => errors.push(c.args[0]),
    );
    helper.getNode("b").receive({ payload: "hot" });
    await expect
      .poll(() => errors.at(-1))
      .toBe(
        'msg.payload: must be the tank temperature in °C: a number, a sensor state such as "52.5", or { "tempC": 52.5 }',
      );
    const cmds = inbox("cmd");
    helper.getNode("b").receive({ payload: "40" });
    await expect.poll(() => cmds.some((m) => m.on === true)).toBe(true);
  });

  it("while the hub is away, a node's status changes when the state does, not at every reconnect attempt", async () => {
    await helper.load(openlem, [config(), { id: "p", type: "openlem-price", hub: "hub", wires: [[]] }], {
      hub: { token },
    });
    const shown = statuses("p");
    await expect.poll(() => shown.at(-1)).toBe("connected");
    await hub.close();
    try {
      // the client retries every second; five seconds of it are a handful of attempts
      await new Promise((r) => setTimeout(r, 5_000));
      const away = shown.slice(shown.lastIndexOf("connected") + 1);
      expect(away.length).toBeGreaterThan(0);
      expect(away.length).toBeLessThanOrEqual(2);
    } finally {
      hub = await start();
    }
    await expect.poll(() => shown.at(-1)).toBe("connected");
  });

  it("a node with a config error stays red, whatever the connection does", async () => {
    await helper.load(
      openlem,
      [
        config(),
        { id: "m", type: "openlem-meter", hub: "hub", meterId: "", unit: "kWh", registers: "import-export" },
        { id: "p", type: "openlem-price", hub: "hub", wires: [[]] },
      ],
      { hub: { token } },
    );
    const meter = statuses("m");
    const price = statuses("p");
    // the price node's feed connects: the meter's red must stay
    await expect.poll(() => price.at(-1)).toBe("connected");
    expect(meter.length).toBeGreaterThan(0);
    expect(meter.every((t) => /meterId/.test(t))).toBe(true);
  });

  it("a device token of another household: the nodes say so in red, and never show connected", async () => {
    const { post, sellerToken } = await import("../../test-support/hub-fixture.js");
    const { DeviceTokenCreated } = await import("@openlem/protocol");
    const other = DeviceTokenCreated.parse(
      await post(`${hub.url}/api/communities/c/households/s/device-tokens`, await sellerToken(hub.url), {
        name: "the neighbour's",
      }),
    );
    await helper.load(
      openlem,
      [config(), { id: "p", type: "openlem-price", hub: "hub", wires: [[]] }, ...orderAndMeter("m-s")],
      { hub: { token: other.token } },
    );
    const wrong = "the device token is for household s in c, not h in c";
    const shown = statuses("p");
    const meter = statuses("m");
    const [ook, obad, mout] = [inbox("ook"), inbox("obad"), inbox("mout")];
    await expect.poll(() => shown.at(-1)).toBe(wrong);
    expect(shown).not.toContain("connected");
    // an order is not kept as if the hub were away: it comes out of output 2 with the reason
    helper.getNode("o").receive({ payload: { side: "buy", energyWh: 200, limitPrice: 0.2, slot: "next" } });
    await expect.poll(() => obad.length).toBe(1);
    expect((obad[0]?.error as { message: string } | undefined)?.message).toBe(wrong);
    expect(ook).toHaveLength(0);
    // the meter stores nothing with another household's token: red, and the reading waits
    helper.getNode("m").receive({ payload: { importWh: 1_000, exportWh: 0 } });
    await expect.poll(() => meter.at(-1)).toBe(`${wrong}; 1 reading(s) waiting for it`);
    expect(mout).toHaveLength(0);
    const neighbour = new HubRest({
      url: hub.url,
      communityId: "c",
      householdId: "s",
      auth: { deviceToken: other.token },
    });
    expect(await neighbour.energy()).toEqual([]);
  });

  it("a token revoked mid-run: every node says the token was refused and what to do, none waits for the hub", async () => {
    const { deviceToken: mine, deviceTokenId: id } = await seedToken(hub.url);
    clock = () => Date.parse("2026-06-24T13:02:00Z");
    await helper.load(
      openlem,
      [
        config(),
        { id: "p", type: "openlem-price", hub: "hub", wires: [[]] },
        { id: "r", type: "openlem-result", hub: "hub", wires: [[], []] },
        ...orderAndMeter("m-h"),
      ],
      { hub: { token: mine } },
    );
    const shown = { p: statuses("p"), r: statuses("r"), o: statuses("o"), m: statuses("m") };
    const [ook, obad, mout] = [inbox("ook"), inbox("obad"), inbox("mout")];
    await expect.poll(() => shown.p.at(-1)).toBe("connected");
    await expect.poll(() => shown.r.at(-1)).toBe("connected");
    helper.getNode("m").receive({ payload: { importWh: 600_000, exportWh: 1_000 } });
    await expect.poll(() => mout.length).toBe(1);
    await revokeToken(hub.url, id);
    const refused = /^the hub refused the device token \(revoked or mistyped\): make a new one .* deploy/;
    // the live feed's broker drops the session, and the login is refused from then on
    await expect.poll(() => shown.p.at(-1), { timeout: 10_000 }).toMatch(refused);
    await expect.poll(() => shown.r.at(-1)).toMatch(refused);
    helper.getNode("o").receive({ payload: { side: "buy", energyWh: 200, limitPrice: 0.2, slot: "next" } });
    await expect.poll(() => obad.length).toBe(1);
    expect((obad[0]?.error as { message: string } | undefined)?.message).toMatch(refused);
    expect(ook).toHaveLength(0);
    helper.getNode("m").receive({ payload: { importWh: 600_000, exportWh: 1_000 } });
    await expect.poll(() => shown.m.at(-1)).toMatch(/; 1 reading\(s\) waiting for it$/);
    expect(shown.m.at(-1)).toMatch(refused);
    expect(mout).toHaveLength(1);
    // a few seconds on, nothing claims the hub is away or reconnecting
    await new Promise((r) => setTimeout(r, 2_500));
    for (const list of Object.values(shown)) expect(list.at(-1)).toMatch(refused);
    ({ deviceToken: token } = await seedToken(hub.url));
  });

  it("meter and order: what the hub could not take while it was down waits, and goes once when it is back", async () => {
    clock = () => Date.parse("2026-06-24T11:00:00Z");
    await helper.load(
      openlem,
      [
        config(),
        { id: "m", type: "openlem-meter", hub: "hub", meterId: "m-h", unit: "Wh", wires: [["mout"]] },
        { id: "o", type: "openlem-order", hub: "hub", wires: [["ook"], ["obad"]] },
        { id: "mout", type: "helper" },
        { id: "ook", type: "helper" },
        { id: "obad", type: "helper" },
      ],
      { hub: { token } },
    );
    const mout = inbox("mout");
    const ook = inbox("ook");
    const meterShown = statuses("m");
    const orderShown = statuses("o");
    helper.getNode("m").receive({ payload: { importWh: 500_000, exportWh: 1_000 } });
    await expect.poll(() => mout.length).toBe(1);
    // a quarter of an hour on, an order goes through: the nodes now know the hub's time, which
    // they work out from it while it is away (readings carry the hub's time, not the local one)
    clock = () => Date.parse("2026-06-24T11:15:00Z");
    helper.getNode("o").receive({ payload: { side: "buy", energyWh: 200, limitPrice: 0.2, slot: "next" } });
    await expect.poll(() => ook.length).toBe(1);
    await hub.close();
    helper.getNode("m").receive({ payload: { importWh: 500_400, exportWh: 1_000 } });
    helper
      .getNode("o")
      .receive({ payload: { side: "buy", energyWh: 300, limitPrice: 0.2, slot: "2026-06-24T11:45:00Z" } });
    await expect.poll(() => meterShown.at(-1)).toMatch(/^hub away: 1 reading\(s\) waiting/);
    await expect.poll(() => orderShown.at(-1)).toMatch(/^hub away: 1 order message\(s\) waiting/);
    expect(mout).toHaveLength(1);
    expect(ook).toHaveLength(1);
    // the hub comes back on the same address with its data
    hub = await start();
    await expect.poll(() => mout.length, { timeout: 30_000 }).toBe(2);
    const later = mout[1]?.payload as { readings: { importWh: number; at: string }[]; accepted: number };
    expect(later.readings.map((r) => r.importWh)).toEqual([500_400]);
    // what the hub took, as it said
    expect(later.accepted).toBe(1);
    await expect.poll(() => ook.length, { timeout: 30_000 }).toBe(2);
    expect(ook[1]).toMatchObject({ sentLater: true });
    // read at the hub's time worked out while it was away, not at the local clock's
    expect(Date.parse(later.readings[0]?.at ?? "")).toBeGreaterThanOrEqual(Date.parse("2026-06-24T11:15:00Z"));
    expect(Date.parse(later.readings[0]?.at ?? "")).toBeLessThan(Date.parse("2026-06-24T12:15:00Z"));
    // each went once: the hub has the reading (a second copy is a duplicate) and one order
    const again = await rest().submitReadings([
      { meterId: "m-h", at: later.readings[0]?.at ?? "", importWh: 500_400, exportWh: 1_000 },
    ]);
    expect(again).toEqual({ accepted: 0, duplicates: 1 });
    expect((await rest().orders()).filter((o) => o.order.slot === "2026-06-24T11:45:00.000Z")).toHaveLength(1);
    // a register that leaps 8.5 MWh in a moment (kWh read as Wh?) is held back and said
    helper.getNode("m").receive({ payload: { importWh: 9_000_000, exportWh: 1_000 } });
    await expect.poll(() => meterShown.at(-1)).toMatch(/^reading held back: import rose too fast/);
    expect(mout).toHaveLength(2);
  });
});

async function seedToken(hubUrl: string): Promise<{ deviceToken: string; deviceTokenId: number }> {
  const { MEMBER, post } = await import("../../test-support/hub-fixture.js");
  const { DeviceTokenCreated, TokenPair } = await import("@openlem/protocol");
  const member = TokenPair.parse(await post(`${hubUrl}/api/auth/login`, undefined, MEMBER)).accessToken;
  const t = DeviceTokenCreated.parse(
    await post(`${hubUrl}/api/communities/c/households/h/device-tokens`, member, { name: "after the revocation" }),
  );
  return { deviceToken: t.token, deviceTokenId: t.id };
}
