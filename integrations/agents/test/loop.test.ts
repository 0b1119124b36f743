import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clear, hubOn, seed } from "../../../test-support/hub-fixture.js";
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
    expect(events[0]).toMatchObject({ type: "hub", reachable: false });
    expect(house.applied[0]).toMatchObject({ mode: "fallback", boilerOn: true });
    expect(events.some((e) => e.type === "submitted")).toBe(false);
  });
});
