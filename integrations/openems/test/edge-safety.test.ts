import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CHANNELS,
  ConfigError,
  EdgeBridge,
  type EdgeBridgeEvent,
  EdgeDevices,
  EdgeRest,
  judgeSchedule,
  parseConfig,
} from "../src/index.js";
import { configFor, NO_HUB, standIn, start } from "./edge-fixture.js";
import { type ControllerComponent, centralOrder, ESS_LIMIT_14A_ENWG, scheduler } from "./edge-stand-in.js";

// The Edge's own safety controllers come first, whatever the scheduler says: each case here
// is a set-up the simple one (owner password, one REST controller, an AC battery, the REST
// controller scheduled last) does not cover.

const LIMITER: ControllerComponent = {
  id: "ctrlEssLimiter14a0",
  factoryId: "Controller.Ess.Limiter14a",
  properties: { "ess.id": "ess0" },
};
const RESERVE: ControllerComponent = {
  id: "ctrlEmergencyCapacityReserve0",
  factoryId: "Controller.Ess.EmergencyCapacityReserve",
  properties: { "ess.id": "ess0", reserveSoc: 20 },
};
const MIN_SOC: ControllerComponent = {
  id: "ctrlLimitTotalDischarge0",
  factoryId: "Controller.Ess.LimitTotalDischarge",
  properties: { "ess.id": "ess0", minSoc: 10 },
};
const BALANCING: ControllerComponent = {
  id: "ctrlBalancing0",
  factoryId: "Controller.Symmetric.Balancing",
  properties: { "ess.id": "ess0", targetGridSetpoint: 0 },
};
const PEAK: ControllerComponent = {
  id: "ctrlPeakShaving0",
  factoryId: "Controller.Symmetric.PeakShaving",
  properties: { "ess.id": "ess0" },
};

const setpoints = (edge: { writes: { channel: string; value: number | null }[] }) =>
  edge.writes.filter((w) => w.channel === CHANNELS.setpoint("ess0") && w.value !== null);

describe("scheduler order: the bridge steers only after the Edge's safety controllers", () => {
  it("the stand-in fits as OpenEMS does: whatever runs first fixes the battery's power", async () => {
    const edge = await standIn({ controllers: [LIMITER] });
    edge.limiter14aActive = true;
    const rest = new EdgeRest(edge.url, "x", "owner");
    await rest.write(CHANNELS.setpoint("ess0"), -5000);
    // AllAlphabetically with nothing listed: ctrlApiRest0 sorts before ctrlEssLimiter14a0, and
    // its EQUALS cancels the grid operator's §14a limit
    expect(edge.runOrder()).toEqual(["ctrlApiRest0", "ctrlEssLimiter14a0"]);
    expect(await rest.read(CHANNELS.power("ess0"))).toBe(-5000);
    edge.schedulers[0]?.ids.push("ctrlEssLimiter14a0");
    expect(await rest.read(CHANNELS.power("ess0"))).toBe(ESS_LIMIT_14A_ENWG);
  });

  it("AllAlphabetically with the controllers unlisted: reads and bids only, and says which controller and how to order the list", async () => {
    const edge = await standIn({ controllers: [LIMITER, RESERVE, MIN_SOC] });
    const events: EdgeBridgeEvent[] = [];
    await start(edge, "owner", { renewSeconds: 1 }, events);
    const said = events.find((e) => e.type === "edge");
    expect(said).toMatchObject({ steer: false, controllerId: "ctrlApiRest0" });
    expect(said?.type === "edge" && said.why).toMatch(
      /runs ctrlApiRest0 before ctrlEmergencyCapacityReserve0 \(the emergency capacity reserve\), ctrlEssLimiter14a0 \(the grid operator's §14a limit\), ctrlLimitTotalDischarge0 \(the minimum state of charge\): .*would cancel them.*\["ctrlEmergencyCapacityReserve0", "ctrlEssLimiter14a0", "ctrlLimitTotalDischarge0", "ctrlApiRest0"\]/,
    );
    // the loop runs on (the house is still bid for), but no set-point ever reaches the Edge
    // (a steering bridge posts its set-point with the first decision it applies)
    await expect.poll(() => events.filter((e) => e.type === "applied").length).toBeGreaterThanOrEqual(1);
    expect(setpoints(edge)).toEqual([]);
    expect(edge.apiSetpointW()).toBeNull();
  });

  it("the list the README gives (safety controllers, then the bridge, then self-consumption) steers", async () => {
    const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");
    const snippet = /<!-- scheduler-ids -->\s*```json\s*([\s\S]*?)```/.exec(readme)?.[1];
    const ids = JSON.parse(snippet ?? "null") as { "controllers.ids": string[] };
    const edge = await standIn({
      controllers: [LIMITER, RESERVE, MIN_SOC, BALANCING],
      schedulers: [scheduler(ids["controllers.ids"])],
    });
    const events: EdgeBridgeEvent[] = [];
    await start(edge, "owner", { renewSeconds: 1 }, events);
    expect(events.find((e) => e.type === "edge")).toMatchObject({ steer: true, warnings: [] });
    await expect.poll(() => setpoints(edge).length).toBeGreaterThanOrEqual(1);
    await expect.poll(() => events.findLast((e) => e.type === "following")).toMatchObject({ ok: true });
    // the §14a limit, running first, still holds the battery when the grid operator calls it
    edge.limiter14aActive = true;
    const rest = new EdgeRest(edge.url, "x", "admin");
    await rest.write(CHANNELS.setpoint("ess0"), -5000);
    expect(await rest.read(CHANNELS.power("ess0"))).toBe(ESS_LIMIT_14A_ENWG);
  });

  it("OpenEMS's demo scheduler: a hand-added REST controller runs after ctrlBalancing0, which the bridge names", async () => {
    // tools/gitpod/openems-edge/config.d/Scheduler/AllAlphabetically/…config
    const edge = await standIn({
      controllers: [MIN_SOC, BALANCING],
      schedulers: [scheduler(["ctrlLimitTotalDischarge0", "ctrlBalancing0"])],
    });
    edge.set(CHANNELS.consumption, 3000);
    const events: EdgeBridgeEvent[] = [];
    await start(edge, "owner", { renewSeconds: 1 }, events);
    expect(events.find((e) => e.type === "edge")).toMatchObject({ steer: true });
    expect(events.find((e) => e.type === "warning")).toMatchObject({
      why: expect.stringMatching(
        /^ctrlBalancing0 \(Controller.Symmetric.Balancing\) runs before ctrlApiRest0: .*put ctrlApiRest0 before it/,
      ),
    });
  });

  it("the App Center's central order puts the REST controller before peak shaving: refused, with the order to use", async () => {
    const controllers = [LIMITER, RESERVE, BALANCING, PEAK];
    const ids = centralOrder([...controllers, { id: "ctrlApiRest0", factoryId: "Controller.Api.Rest.ReadWrite" }]);
    expect(ids).toEqual([
      "ctrlEssLimiter14a0",
      "ctrlEmergencyCapacityReserve0",
      "ctrlApiRest0",
      "ctrlPeakShaving0",
      "ctrlBalancing0",
    ]);
    const edge = await standIn({
      controllers,
      schedulers: [scheduler(ids)],
    });
    const events: EdgeBridgeEvent[] = [];
    await start(edge, "owner", {}, events);
    const said = events.find((e) => e.type === "edge");
    expect(said).toMatchObject({ steer: false });
    expect(said?.type === "edge" && said.why).toMatch(
      /runs ctrlApiRest0 before ctrlPeakShaving0 \(peak shaving\).*\["ctrlEssLimiter14a0", "ctrlEmergencyCapacityReserve0", "ctrlPeakShaving0", "ctrlApiRest0"\]/,
    );
    // without peak shaving the App Center's order is safe as it is
    const plain = centralOrder([
      LIMITER,
      RESERVE,
      BALANCING,
      { id: "ctrlApiRest0", factoryId: "Controller.Api.Rest.ReadWrite" },
    ]);
    const components = Object.fromEntries(
      [LIMITER, RESERVE, BALANCING, { id: "ctrlApiRest0", factoryId: "Controller.Api.Rest.ReadWrite" }]
        .map((c) => [c.id, { factoryId: c.factoryId, properties: c.properties ?? {} }] as const)
        .concat([
          ["scheduler0", { factoryId: "Scheduler.AllAlphabetically", properties: { "controllers.ids": plain } }],
        ]),
    );
    expect(judgeSchedule(components, "ctrlApiRest0", "ess0")).toMatchObject({ steer: true, warnings: [] });
  });

  it("a FixedOrder list that leaves the REST controller out is named as such; a scheduler whose order changes over the day is not trusted", async () => {
    const fixed = await standIn({
      controllers: [RESERVE, BALANCING],
      schedulers: [scheduler(["ctrlEmergencyCapacityReserve0", "ctrlBalancing0"], "Scheduler.FixedOrder")],
    });
    const events: EdgeBridgeEvent[] = [];
    await start(fixed, "owner", {}, events);
    const said = events.find((e) => e.type === "edge");
    expect(said).toMatchObject({ steer: false });
    expect(said?.type === "edge" && said.why).toMatch(
      /Scheduler.FixedOrder scheduler0 does not list ctrlApiRest0, so the Edge never runs it.*\["ctrlEmergencyCapacityReserve0", "ctrlApiRest0"\]/,
    );
    expect(setpoints(fixed)).toEqual([]);

    const daily = await standIn({ schedulers: [scheduler([], "Scheduler.Daily")] });
    const dailyEvents: EdgeBridgeEvent[] = [];
    await start(daily, "owner", {}, dailyEvents);
    expect(dailyEvents.find((e) => e.type === "edge")).toMatchObject({
      steer: false,
      why: expect.stringMatching(/scheduler0 \(Scheduler.Daily\) changes the controllers' order over the day/),
    });
  });
});

describe("two Read-Write REST controllers", () => {
  it("takes the one on the URL's port, its API timeout and its log", async () => {
    const edge = await standIn({ moreRestControllers: [{ id: "ctrlApiRest1", apiTimeoutSeconds: 6 }] });
    const events: EdgeBridgeEvent[] = [];
    const c = configFor(edge, "owner");
    await start(edge, "owner", { edge: { ...c.edge, url: edge.urlOf("ctrlApiRest1") } }, events);
    expect(events.find((e) => e.type === "edge")).toMatchObject({
      controllerId: "ctrlApiRest1",
      controllerFrom: "port",
      apiTimeoutSeconds: 6,
      renewMs: 2_000,
    });
    // the other client's controller runs first (alphabetically) and may steer: named
    expect(events.find((e) => e.type === "warning")).toMatchObject({
      why: expect.stringMatching(/^ctrlApiRest0 \(Controller.Api.Rest.ReadWrite\) runs before ctrlApiRest1/),
    });
    // edge.controller picks another explicitly; one the Edge does not have is refused
    await expect(
      start(edge, "owner", { edge: { ...c.edge, url: edge.urlOf("ctrlApiRest1"), controller: "ctrlApiRest9" } }),
    ).rejects.toThrow(
      /edge.controller names ctrlApiRest9, but the Edge's Read-Write REST controllers are ctrlApiRest0, ctrlApiRest1/,
    );
  });

  it("reads back through its own controller's log while the other client's runs out", async () => {
    const edge = await standIn({ moreRestControllers: [{ id: "ctrlApiRest1", apiTimeoutSeconds: 60 }] });
    const events: EdgeBridgeEvent[] = [];
    const c = configFor(edge, "owner", { renewSeconds: 1 });
    await start(edge, "owner", { renewSeconds: 1, edge: { ...c.edge, url: edge.urlOf("ctrlApiRest1") } }, events);
    await expect.poll(() => events.findLast((e) => e.type === "following")).toMatchObject({ ok: true });
    expect(edge.apiSetpointW("ctrlApiRest1")).not.toBeNull();
    expect(edge.apiSetpointW("ctrlApiRest0")).toBeNull();
    expect(edge.writes.every((w) => w.controller === "ctrlApiRest1")).toBe(true);
  });
});

describe("a hybrid battery and live limits", () => {
  it("a hybrid (HybridEss, DC-PV behind the inverter): said at start, the set-point carries the DC-PV, and the battery itself does what was planned", async () => {
    const edge = await standIn({ ess: { hybrid: true } });
    edge.dcPvW = 2000;
    const events: EdgeBridgeEvent[] = [];
    await start(edge, "owner", {}, events);
    expect(events.find((e) => e.type === "edge")).toMatchObject({ steer: true, hybrid: { factoryId: "GoodWe.Ess" } });

    const rest = new EdgeRest(edge.url, "x", "owner");
    const control = { controllerId: "ctrlApiRest0", steer: true, hybrid: true };
    const devices = new EdgeDevices(rest, configFor(edge, "owner"), 10_000, Number.POSITIVE_INFINITY, control);
    // charge the battery at 1.5 kW while 2 kW of PV comes in on its DC side
    await devices.apply({ startMs: 0, batteryW: -1500, boilerOn: false, evW: 0, netWh: 0, mode: "plan", why: [] });
    expect(edge.apiSetpointW()).toBe(500);
    expect(edge.value(CHANNELS.dcPower("ess0"))).toBe(-1500);
    expect(edge.value(CHANNELS.power("ess0"))).toBe(500);
    expect(await devices.checkFollowing(0)).toEqual({ ok: true });
    // the sun goes behind a cloud: on the old set-point the planned charge turns into a
    // discharge; the next renewal follows the DC-PV and the battery keeps its plan
    edge.dcPvW = 300;
    expect(edge.value(CHANNELS.dcPower("ess0"))).toBe(200);
    expect(await devices.renew()).toBe("renewed");
    expect(edge.apiSetpointW()).toBe(-1200);
    expect(edge.value(CHANNELS.dcPower("ess0"))).toBe(-1500);
    expect(await devices.checkFollowing(0)).toEqual({ ok: true });
  });

  it("a battery its management derates (cold, nearly full) is judged against the Edge's live allowed powers, not reported as overridden", async () => {
    const edge = await standIn();
    const devices = new EdgeDevices(new EdgeRest(edge.url, "x", "owner"), configFor(edge, "owner"), 10_000);
    await devices.apply({ startMs: 0, batteryW: 3000, boilerOn: false, evW: 0, netWh: 0, mode: "plan", why: [] });
    expect(await devices.checkFollowing(0)).toEqual({ ok: true });
    edge.set(CHANNELS.allowedCharge("ess0"), -200);
    edge.set(CHANNELS.allowedDischarge("ess0"), 200);
    expect(edge.value(CHANNELS.power("ess0"))).toBe(200);
    expect(await devices.checkFollowing(0)).toEqual({ ok: true });
    // an override on top of the derating is still told, with the derating
    edge.controllers.push({
      id: "ctrlFixActivePower0",
      factoryId: "Controller.Ess.FixActivePower",
      properties: { power: 0 },
    });
    edge.schedulers = [scheduler(["ctrlFixActivePower0"])];
    expect(await devices.checkFollowing(0)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/runs at 0 W instead of 200 W \(the battery's management allows -200 to 200 W now\)/),
    });
  });
});

describe("stop and the URL", () => {
  it("stop() waits for a renewal already on its way, so no set-point lands after the release", async () => {
    const edge = await standIn();
    const events: EdgeBridgeEvent[] = [];
    // the loop's own tick (which applies decisions) stays out of the way: the renewal timer writes
    const bridge = await start(edge, "owner", { renewSeconds: 1 }, events, { tickMs: 60_000 });
    await expect.poll(() => events.some((e) => e.type === "applied")).toBe(true);
    // the Edge is slow: the next renewal hangs on it
    let open = () => {};
    edge.gate = new Promise<void>((r) => {
      open = r;
    });
    await expect.poll(() => edge.held).toBeGreaterThanOrEqual(1);
    const stopping = bridge.stop();
    // the slow Edge answers later; had the release gone out meanwhile, the renewal would land after it
    const later = setTimeout(open, 300);
    await stopping;
    clearTimeout(later);
    open();
    await expect.poll(() => edge.landed).toBe(edge.held);
    expect(edge.writes.at(-1)).toMatchObject({ channel: CHANNELS.setpoint("ess0"), value: null });
    expect(edge.apiSetpointW()).toBeNull();
  });

  it("credentials in the URL, as OpenEMS's docs write it, work; given twice or not at all they are refused by name", async () => {
    const edge = await standIn();
    const port = new URL(edge.url).port;
    const yaml = (edgePart: string) =>
      `edge:\n${edgePart}\nhub: { url: "${NO_HUB}", community: c, household: h, deviceToken: olm_dev_x }\nmeterId: m\nbattery: { maxChargeW: 5000, maxDischargeW: 5000 }\nstateDir: ${join(configFor(edge, "owner").stateDir)}\n`;
    const c = parseConfig(yaml(`  url: http://x:owner@127.0.0.1:${port}/rest`), {});
    expect(c.edge).toMatchObject({ url: `http://127.0.0.1:${port}`, username: "x", password: "owner" });
    const events: EdgeBridgeEvent[] = [];
    const bridge = await EdgeBridge.start(c, { tickMs: 100, onEvent: (e) => events.push(e) });
    await bridge.stop();
    expect(events.find((e) => e.type === "edge")).toMatchObject({ steer: true });
    expect(() => parseConfig(yaml(`  url: http://x:owner@127.0.0.1:${port}\n  password: owner`), {})).toThrow(
      ConfigError,
    );
    expect(() => parseConfig(yaml(`  url: http://x:owner@127.0.0.1:${port}\n  password: owner`), {})).toThrow(
      /edge.password: is also in edge.url/,
    );
    expect(() => parseConfig(yaml(`  url: http://127.0.0.1:${port}`), {})).toThrow(/edge.password: is required/);
  });
});

describe("the Edge just started", () => {
  it("its Sum energy counters have no value for 60 s: no reading is sent, then the readings come", async () => {
    let t = Date.parse("2026-06-21T09:00:00Z");
    const edge = await standIn({ now: () => t, uptimeMs: 0 });
    edge.set("_sum/GridBuyActiveEnergy", 1000);
    edge.set("_sum/GridSellActiveEnergy", 200);
    const devices = new EdgeDevices(new EdgeRest(edge.url, "x", "owner"), configFor(edge, "owner"), 10_000);
    expect(await devices.meter()).toBeNull();
    expect(await devices.production()).toBeNull();
    t += 59_000;
    expect(await devices.meter()).toBeNull();
    t += 1_000;
    expect(await devices.meter()).toEqual({ meterId: "m", importWh: 1000, exportWh: 200 });
  });
});
