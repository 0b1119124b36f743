import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { DeviceTokenCreated, TokenPair } from "@openlem/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clear, freePort, hubOn, MEMBER, post, revokeToken, seed } from "../../../test-support/hub-fixture.js";
import {
  type BoilerSpec,
  boilerStep,
  type DevicePort,
  type DeviceState,
  HouseholdLoop,
  HouseholdSpec,
  type LoopEvent,
  type SlotDecision,
} from "../src/index.js";

const spec = HouseholdSpec.parse({ boiler: { volumeL: 200, heaterW: 3000 }, boilerResolutionK: 0.5 });

/** A house in memory standing in for the real devices: a boiler, a steady load and a meter. */
class SimulatedHouse implements DevicePort {
  tempC = 50;
  importWh = 10_000;
  exportWh = 0;
  applied: SlotDecision[] = [];
  async read(): Promise<DeviceState> {
    return { tempC: this.tempC };
  }
  async forecast(_fromMs: number, slots: number) {
    return { netLoadWh: new Array(slots).fill(120), drawWh: new Array(slots).fill(50) };
  }
  async apply(d: SlotDecision): Promise<void> {
    this.applied.push(d);
    this.tempC = boilerStep(spec.boiler as BoilerSpec, this.tempC, d.boilerOn, 50, 15);
    this.importWh += Math.max(0, d.netWh);
  }
  async meter() {
    return { meterId: "m-h", importWh: this.importWh, exportWh: this.exportWh };
  }
}

describe("household agent loop against a real hub", () => {
  let hub: RunningHub;
  let now = Date.parse("2026-06-21T09:00:00Z");
  let deviceToken = "";
  let dir = "";
  beforeAll(async () => {
    hub = await hubOn({ now: () => new Date(now) });
    ({ deviceToken } = await seed(hub.url));
    dir = await mkdtemp(join(tmpdir(), "openlem-agent-"));
  });
  afterAll(async () => {
    await hub.close();
  });

  const rest = () =>
    new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken }, retry: { retries: 0 } });

  it("bids before the gate, follows the plan once the hub took the orders, reports the meter, and remembers across a restart", async () => {
    const house = new SimulatedHouse();
    const events: LoopEvent[] = [];
    const statePath = join(dir, "agent.json");
    const loop = new HouseholdLoop({ spec, hub: rest(), devices: house, statePath, onEvent: (e) => events.push(e) });
    await loop.tick();
    // 09:00: the slot being delivered had no orders (local default); 09:15 is bid for
    expect(house.applied[0]?.mode).toBe("fallback");
    const submitted = events.find((e) => e.type === "submitted");
    expect(submitted).toMatchObject({ slot: "2026-06-21T09:15:00.000Z" });
    const orders = await rest().orders();
    expect(orders.map((o) => o.order.slot)).toEqual(["2026-06-21T09:15:00.000Z"]);
    expect(orders[0]?.order).toMatchObject({ side: "buy", limitPrice: 0.22 });
    expect(events.some((e) => e.type === "reading")).toBe(true);

    // a restart: the new loop reads the plan and the submitted slot back from disk
    const stored = JSON.parse(await readFile(statePath, "utf8"));
    expect(stored.submitted).toContain(Date.parse("2026-06-21T09:15:00Z"));
    now = Date.parse("2026-06-21T09:15:00Z");
    await clear(hub.url, "2026-06-21T09:15:00.000Z");
    const restarted = new HouseholdLoop({ spec, hub: rest(), devices: house, statePath });
    await restarted.tick();
    expect(house.applied.at(-1)).toMatchObject({ mode: "plan", startMs: now });
    expect((await rest().orders()).map((o) => o.order.slot)).toContain("2026-06-21T09:30:00.000Z");
    const energy = await rest().energy({ from: "2026-06-21T09:00:00Z", to: "2026-06-21T09:30:00Z" });
    expect(energy.map((e) => e.slot)).toContain("2026-06-21T09:00:00.000Z");
  });

  it("sends nothing for a slot its plan neither buys nor sells, and follows the plan for it", async () => {
    const balanced = new SimulatedHouse();
    balanced.forecast = async (_fromMs: number, slots: number) => ({
      netLoadWh: new Array(slots).fill(0),
      drawWh: new Array(slots).fill(0),
    });
    balanced.importWh = 50_000; // registers only grow: later than the first house's readings
    now = Date.parse("2026-06-21T10:00:00Z");
    const events: LoopEvent[] = [];
    const before = (await rest().orders()).length;
    const loop = new HouseholdLoop({
      spec: HouseholdSpec.parse({}),
      hub: rest(),
      devices: balanced,
      onEvent: (e) => events.push(e),
    });
    await loop.tick();
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    const next = events.find((e) => e.type === "submitted");
    expect(next).toMatchObject({ netWh: 0 });
    expect((await rest().orders()).length).toBe(before);
    now += 15 * 60_000;
    await loop.tick();
    expect(balanced.applied.at(-1)).toMatchObject({ mode: "plan", netWh: 0 });
  });

  it("falls back to the devices' local behaviour when the hub cannot be reached", async () => {
    const house = new SimulatedHouse();
    house.tempC = 48; // the thermostat heats below 53 °C
    const events: LoopEvent[] = [];
    const offline = new HubRest({
      url: "http://127.0.0.1:9",
      communityId: "c",
      householdId: "h",
      auth: { deviceToken },
      retry: { retries: 0 },
      timeoutMs: 1_000,
    });
    const loop = new HouseholdLoop({
      spec,
      hub: offline,
      devices: house,
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    await loop.tick();
    // the devices first, then the news
    expect(events[0]).toMatchObject({ type: "applied", decision: { mode: "fallback", boilerOn: true } });
    expect(events[1]).toMatchObject({ type: "hub", reachable: false });
    expect(house.applied[0]).toMatchObject({ mode: "fallback", boilerOn: true });
    expect(events.some((e) => e.type === "submitted")).toBe(false);
    expect(loop.control).toMatchObject({ mode: "local", why: expect.stringContaining("hub unreachable") });
  });
});

/** A house whose state the test sets; it records every command with the hub time it came at. */
class TestHouse implements DevicePort {
  state: DeviceState = {};
  importWh = 200_000;
  exportWh = 0;
  commands: { at: number; d: SlotDecision }[] = [];
  released = 0;
  failApply = false;
  constructor(private readonly clock: () => number) {}
  async read(): Promise<DeviceState> {
    return structuredClone(this.state);
  }
  async forecast(_fromMs: number, slots: number) {
    return { netLoadWh: new Array(slots).fill(120), drawWh: new Array(slots).fill(0) };
  }
  async apply(d: SlotDecision): Promise<void> {
    if (this.failApply) throw new Error("Home Assistant is away");
    this.commands.push({ at: this.clock(), d });
  }
  async meter() {
    return { meterId: "m-h", importWh: this.importWh, exportWh: this.exportWh };
  }
  async release(): Promise<void> {
    this.released++;
  }
}

describe("household agent loop when things go wrong", () => {
  const both = HouseholdSpec.parse({
    boiler: { volumeL: 200, heaterW: 3000 },
    battery: { capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000 },
    boilerResolutionK: 0.5,
  });
  let hub: RunningHub;
  let now = Date.parse("2026-06-22T09:00:00Z");
  let deviceToken = "";
  let dir = "";
  let port = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "openlem-agent-faults-"));
    port = await freePort();
    hub = await hubOn({ now: () => new Date(now), port, dataDir: join(dir, "hub") });
    ({ deviceToken } = await seed(hub.url));
  });
  afterAll(async () => {
    await hub.close();
  });
  const rest = (token = deviceToken) =>
    new HubRest({
      url: hub.url,
      communityId: "c",
      householdId: "h",
      auth: { deviceToken: token },
      retry: { retries: 0 },
      timeoutMs: 1_000,
    });

  it("holds the hard limits between slot starts: over the maximum off now, and the battery stops feeding it", async () => {
    const house = new TestHouse(() => now);
    house.state = { tempC: 44, socWh: 6_000 };
    const loop = new HouseholdLoop({ spec: both, hub: rest(), devices: house, now: () => now });
    await loop.tick();
    // 09:00, no market plan: the cold tank heats and the battery covers the house and the boiler
    const first = house.commands.at(-1)?.d;
    expect(first).toMatchObject({ boilerOn: true, batteryW: 3_480 });
    // 09:04: the sensor reads 70 °C (the tap closed, the heater kept going): off at once
    now = Date.parse("2026-06-22T09:04:00Z");
    house.state = { tempC: 70, socWh: 5_800 };
    await loop.supervise();
    const cut = house.commands.at(-1);
    expect(cut?.at).toBe(now);
    expect(cut?.d).toMatchObject({ startMs: Date.parse("2026-06-22T09:00:00Z"), boilerOn: false, batteryW: 480 });
    expect(cut?.d.why[0]).toMatch(/boiler: off now, the water reached its maximum/);
    // 09:08: the battery reaches the bottom of its window: it stops discharging
    now = Date.parse("2026-06-22T09:08:00Z");
    house.state = { tempC: 64, socWh: 1_000 };
    await loop.tick();
    expect(house.commands.at(-1)?.d).toMatchObject({ boilerOn: false, batteryW: 0 });
    // 09:12: a tap drains the tank below its minimum: on at once, whatever the plan
    now = Date.parse("2026-06-22T09:12:00Z");
    house.state = { tempC: 40, socWh: 1_000 };
    await loop.supervise();
    expect(house.commands.at(-1)).toMatchObject({ at: now, d: { boilerOn: true } });
    await loop.stop({ handBack: false });
    expect(house.released).toBe(0);
  });

  it("a device call that fails is made again at the next look", async () => {
    const house = new TestHouse(() => now);
    now = Date.parse("2026-06-22T09:30:00Z");
    house.state = { tempC: 40 };
    house.failApply = true;
    const events: LoopEvent[] = [];
    const loop = new HouseholdLoop({
      spec: both,
      hub: rest(),
      devices: house,
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    await loop.tick();
    expect(house.commands).toEqual([]);
    expect(events.some((e) => e.type === "error" && String(e.error).includes("Home Assistant is away"))).toBe(true);
    house.failApply = false;
    now += 5_000;
    await loop.supervise();
    expect(house.commands.at(-1)?.d).toMatchObject({ boilerOn: true });
  });

  it("a revoked token ends in local control, applied before the refusal is reported", async () => {
    const token = await newToken(hub.url);
    const house = new TestHouse(() => now);
    now = Date.parse("2026-06-22T10:00:00Z");
    house.state = { tempC: 50, socWh: 5_000 };
    const events: LoopEvent[] = [];
    const loop = new HouseholdLoop({
      spec: both,
      hub: rest(token.token),
      devices: house,
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    await loop.tick();
    expect(events.some((e) => e.type === "submitted")).toBe(true);
    await revokeToken(hub.url, token.id);
    // the next slot: the boiler at 40 °C, below its 45 °C minimum
    now = Date.parse("2026-06-22T10:15:00Z");
    house.state = { tempC: 40, socWh: 5_000 };
    const from = events.length;
    await loop.tick();
    const later = events.slice(from);
    const applied = later.findIndex((e) => e.type === "applied" && e.decision.startMs === now);
    const refused = later.findIndex((e) => e.type === "hub" && !e.reachable);
    expect(applied).toBeGreaterThanOrEqual(0);
    expect(refused).toBeGreaterThan(applied);
    expect(later[refused]).toMatchObject({ reason: expect.stringContaining("refused the device token") });
    expect(house.commands.at(-1)?.d).toMatchObject({ startMs: now, boilerOn: true });
    // from then on: local control, said in the decision itself
    now = Date.parse("2026-06-22T10:30:00Z");
    await loop.tick();
    const d = house.commands.at(-1)?.d;
    expect(d).toMatchObject({ startMs: now, mode: "fallback" });
    expect(d?.why[0]).toMatch(/^local control: the hub refused the device token/);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("readings carry the time they were read; slot boundaries are interpolated, never re-stamped, also across a restart", async () => {
    const statePath = join(dir, "meter-agent.json");
    const house = new TestHouse(() => now);
    house.state = { tempC: 55 };
    const events: LoopEvent[] = [];
    const make = () =>
      new HouseholdLoop({
        spec: both,
        hub: rest(),
        devices: house,
        statePath,
        now: () => now,
        onEvent: (e) => events.push(e),
      });
    now = Date.parse("2026-06-22T11:14:37Z");
    house.importWh = 300_000;
    const loop = make();
    await loop.tick();
    // the first read is a baseline: nothing is stamped 11:00 or 11:14
    expect(events.filter((e) => e.type === "reading")).toEqual([]);
    now = Date.parse("2026-06-22T11:15:07Z");
    house.importWh = 300_060;
    await loop.tick();
    // 11:15:00 lies 23 of the 30 seconds from 11:14:37 to 11:15:07: 46 Wh of the 60
    expect(events.filter((e) => e.type === "reading").map((e) => e.type === "reading" && e.reading)).toEqual([
      { meterId: "m-h", at: "2026-06-22T11:15:00.000Z", importWh: 300_046, exportWh: 0 },
    ]);
    // a restart (or new limits) mid-slot: the new loop sends nothing old again
    await loop.stop({ handBack: false });
    const again = make();
    now = Date.parse("2026-06-22T11:20:00Z");
    house.importWh = 300_500;
    await again.tick();
    again.setSpec(HouseholdSpec.parse({ ...both, limits: { maxBuyPrice: 0.15 } }));
    await again.tick();
    expect(events.filter((e) => e.type === "reading")).toHaveLength(1);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    // a register that leaps further than the meter's power allows is held back, and said
    now = Date.parse("2026-06-22T11:20:10Z");
    house.importWh = 900_000;
    await again.tick();
    expect(events.findLast((e) => e.type === "meter")).toMatchObject({
      problem: expect.stringMatching(/^import register rose 599500 Wh in 10 s/),
    });
    house.importWh = 300_520;
    now = Date.parse("2026-06-22T11:30:05Z");
    await again.tick();
    // the loop was away longer than a minute around 11:30: the reads go with their own times
    const sent = events.filter((e) => e.type === "reading").map((e) => e.type === "reading" && e.reading.at);
    expect(sent.slice(1)).toEqual(["2026-06-22T11:20:00.000Z", "2026-06-22T11:30:05.000Z"]);
  });

  it("keeps what it could not send while the hub is down, and sends it once when the hub is back", async () => {
    const house = new TestHouse(() => now);
    house.state = { tempC: 55 };
    house.importWh = 400_000;
    const events: LoopEvent[] = [];
    const loop = new HouseholdLoop({
      spec: both,
      hub: rest(),
      devices: house,
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    now = Date.parse("2026-06-22T12:00:00Z");
    await loop.tick();
    expect(events.filter((e) => e.type === "reading")).toHaveLength(1);
    await hub.close();
    for (const [at, wh] of [
      ["2026-06-22T12:15:00Z", 400_100],
      ["2026-06-22T12:30:00Z", 400_300],
    ] as const) {
      now = Date.parse(at);
      house.importWh = wh;
      await loop.tick();
    }
    expect(events.findLast((e) => e.type === "waiting")).toEqual({ type: "waiting", readings: 2 });
    expect(house.commands.at(-1)?.d.why[0]).toMatch(/^local control: hub unreachable/);
    // the hub comes back on the same address with its data
    hub = await hubOn({ now: () => new Date(now), port, dataDir: join(dir, "hub") });
    now = Date.parse("2026-06-22T12:31:00Z");
    await loop.tick();
    expect(events.findLast((e) => e.type === "waiting")).toEqual({ type: "waiting", readings: 0 });
    expect(events.findLast((e) => e.type === "hub")).toEqual({ type: "hub", reachable: true });
    const energy = await rest().energy({ from: "2026-06-22T12:00:00Z", to: "2026-06-22T12:30:00Z" });
    expect(energy.map((e) => [e.slot, e.importWh, e.estimated])).toEqual([
      ["2026-06-22T12:00:00.000Z", 100, false],
      ["2026-06-22T12:15:00.000Z", 200, false],
    ]);
  });

  it("without a hub it runs the devices under local control and hands them back when stopped", async () => {
    const house = new TestHouse(() => now);
    house.state = { tempC: 40, socWh: 5_000 };
    const events: LoopEvent[] = [];
    const loop = new HouseholdLoop({
      spec: both,
      hub: null,
      devices: house,
      now: () => now,
      onEvent: (e) => events.push(e),
    });
    await loop.tick();
    expect(house.commands.at(-1)?.d).toMatchObject({ mode: "fallback", boilerOn: true });
    expect(house.commands.at(-1)?.d.why[0]).toBe("local control: no hub configured");
    await loop.stop();
    expect(house.released).toBe(1);
    expect(events.at(-1)).toEqual({ type: "released" });
  });
});

async function newToken(hubUrl: string): Promise<{ id: number; token: string }> {
  const member = TokenPair.parse(await post(`${hubUrl}/api/auth/login`, undefined, MEMBER)).accessToken;
  return DeviceTokenCreated.parse(
    await post(`${hubUrl}/api/communities/c/households/h/device-tokens`, member, { name: "revoked later" }),
  );
}

describe("household agent loop: the devices act on their fills", () => {
  let hub: RunningHub;
  let now = Date.parse("2026-06-23T09:00:00Z");
  let deviceToken = "";
  beforeAll(async () => {
    hub = await hubOn({ now: () => new Date(now) });
    ({ deviceToken } = await seed(hub.url));
  });
  afterAll(async () => {
    await hub.close();
  });

  it("a boiler whose buy did not fill does not heat: nobody sold at its limit, and the utility's price is above it", async () => {
    // it pays at most 0.15 a kWh; the utility sells at 0.22 and no neighbour sells
    const spec = HouseholdSpec.parse({
      boiler: { volumeL: 200, heaterW: 3000 },
      boilerResolutionK: 0.5,
      limits: { maxBuyPrice: 0.15 },
    });
    const house = new TestHouse(() => now);
    house.state = { tempC: 47 };
    house.forecast = async (_fromMs: number, slots: number) => ({
      netLoadWh: new Array(slots).fill(120),
      drawWh: new Array(slots).fill(300),
    });
    const events: LoopEvent[] = [];
    const rest = new HubRest({
      url: hub.url,
      communityId: "c",
      householdId: "h",
      auth: { deviceToken },
      retry: { retries: 0 },
    });
    const loop = new HouseholdLoop({ spec, hub: rest, devices: house, now: () => now, onEvent: (e) => events.push(e) });
    await loop.tick();
    // the plan heats in the next slot: the bid carries the boiler's 750 Wh
    const [order] = await rest.orders();
    expect(order?.order).toMatchObject({ side: "buy", slot: "2026-06-23T09:15:00.000Z", limitPrice: 0.15 });
    expect(order?.order.energyWh).toBe(120 + 750);
    // the gate closes, the hub clears: nothing filled
    now = Date.parse("2026-06-23T09:10:00Z");
    await clear(hub.url, "2026-06-23T09:15:00.000Z");
    await loop.tick();
    expect(events.find((e) => e.type === "filled")).toMatchObject({
      fills: { startMs: Date.parse("2026-06-23T09:15:00Z"), boughtWh: 0, soldWh: 0 },
      bid: { buyWh: 870, sellWh: 0 },
    });
    now = Date.parse("2026-06-23T09:15:00Z");
    await loop.tick();
    const d = house.commands.at(-1)?.d;
    expect(d).toMatchObject({ startMs: now, mode: "plan", boilerOn: false });
    expect(d?.why.join("; ")).toMatch(/boiler: off, its buy did not fill \(0 of 870 Wh bought\)/);
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    // a tank below its minimum heats whatever the market gave
    house.state = { tempC: 44 };
    await loop.reapply();
    await loop.supervise();
    expect(house.commands.at(-1)?.d).toMatchObject({ startMs: now, boilerOn: true });
  });
});
