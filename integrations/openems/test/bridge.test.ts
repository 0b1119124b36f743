import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAll, processesWith, REPO_ROOT, startBridge } from "../../../test-support/bridge-process.js";
import { clear, hubOn, seed } from "../../../test-support/hub-fixture.js";
import { CHANNELS, ConfigError, EdgeBridge, type EdgeBridgeEvent, parseConfig } from "../src/index.js";
import { EdgeStandIn } from "./edge-stand-in.js";

// the Edge's default owner: writing needs the owner role or higher (the guest's "user" only reads)
const OWNER_PASSWORD = "owner";

let now = Date.parse("2026-06-21T09:02:00Z");

describe("the OpenEMS bridge against an Edge stand-in and a real hub", () => {
  let hub: RunningHub;
  let edge: EdgeStandIn;
  let token = "";
  const rest = () => new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken: token } });
  const config = (extra: Record<string, unknown> = {}, edgeUrl = edge.url, password = OWNER_PASSWORD) => ({
    ...parseConfig(readFileSync(join(import.meta.dirname, "../../../examples/openems/edge.yaml"), "utf8"), {
      EDGE_URL: edgeUrl,
      EDGE_PASSWORD: password,
      OPENLEM_HUB_URL: hub.url,
      OPENLEM_COMMUNITY: "c",
      OPENLEM_HOUSEHOLD: "h",
      OPENLEM_DEVICE_TOKEN: token,
      OPENLEM_METER_ID: "m-h",
      OPENLEM_STATE_DIR: mkdtempSync(join(tmpdir(), "openlem-edge-")),
    }),
    ...extra,
  });

  beforeAll(async () => {
    hub = await hubOn({ now: () => new Date(now) });
    ({ deviceToken: token } = await seed(hub.url));
    edge = new EdgeStandIn();
    await edge.start();
    edge.set(CHANNELS.grid, 1200);
    edge.set(CHANNELS.production, 800);
    edge.set(CHANNELS.consumption, 2000);
    edge.set(CHANNELS.soc("ess0"), 55);
    // the site's grid energy so far, as OpenEMS's Sum component counts it (Wh)
    edge.set("_sum/GridBuyActiveEnergy", 1_234_567);
    edge.set("_sum/GridSellActiveEnergy", 345_678);
    edge.set(CHANNELS.capacity("ess0"), 10_000);
  });
  afterAll(async () => {
    await edge.stop();
    await hub.close();
  });

  it("refuses a bad config and a wrong Edge password with the reason", async () => {
    expect(() => parseConfig("edge: { url: nope }", {})).toThrow(ConfigError);
    expect(() => parseConfig("edge: { url: nope }", {})).toThrow(/edge.url/);
    const c = config();
    await expect(EdgeBridge.start({ ...c, edge: { ...c.edge, password: "wrong" } })).rejects.toThrow(
      /refused the password/,
    );
  });

  it("waits for the battery's capacity while the Edge has none yet (just restarted), and says so if it never comes", async () => {
    edge.set(CHANNELS.capacity("ess0"), null);
    const later = setTimeout(() => edge.set(CHANNELS.capacity("ess0"), 10_000), 300);
    const events: EdgeBridgeEvent[] = [];
    try {
      const bridge = await EdgeBridge.start(config(), {
        tickMs: 100,
        onEvent: (e) => events.push(e),
        capacityWaitMs: 10_000,
        capacityRetryMs: 50,
      });
      await bridge.stop();
      edge.set(CHANNELS.capacity("ess0"), null);
      await expect(EdgeBridge.start(config(), { capacityWaitMs: 200, capacityRetryMs: 50 })).rejects.toThrow(
        /reports no ess0\/Capacity: set battery.capacityWh/,
      );
    } finally {
      clearTimeout(later);
      edge.set(CHANNELS.capacity("ess0"), 10_000);
    }
  });

  it("reads the meter from the Edge's grid energy counters by default, at a base URL with or without /rest", async () => {
    // a community of its own, so that these readings do not meet the integrated ones below
    const { deviceToken } = await seed(hub.url, "c2");
    // OpenEMS's docs give the base as …:8084/rest: pasted as it is, it must work
    const c = parseConfig(readFileSync(join(import.meta.dirname, "../../../examples/openems/edge.yaml"), "utf8"), {
      EDGE_URL: `${edge.url}/rest/`,
      EDGE_PASSWORD: OWNER_PASSWORD,
      OPENLEM_HUB_URL: hub.url,
      OPENLEM_COMMUNITY: "c2",
      OPENLEM_HOUSEHOLD: "h",
      OPENLEM_DEVICE_TOKEN: deviceToken,
      OPENLEM_METER_ID: "c2-m-h",
      OPENLEM_STATE_DIR: mkdtempSync(join(tmpdir(), "openlem-edge-")),
    });
    expect(c.edge.url).toBe(edge.url);
    expect(c.edge).toMatchObject({
      readings: "counters",
      importCounter: "_sum/GridBuyActiveEnergy",
      exportCounter: "_sum/GridSellActiveEnergy",
    });
    const events: EdgeBridgeEvent[] = [];
    const bridge = await EdgeBridge.start(c, { tickMs: 100, onEvent: (e) => events.push(e) });
    try {
      await expect.poll(() => events.some((e) => e.type === "submitted")).toBe(true);
      // past the next slot boundary, the reads go to the hub with the counters' values
      now = Date.parse("2026-06-21T09:15:10Z");
      await expect.poll(() => events.some((e) => e.type === "reading")).toBe(true);
      const readings = () => events.flatMap((e) => (e.type === "reading" ? [e.reading] : []));
      for (const r of readings()) {
        expect(r).toMatchObject({ meterId: "c2-m-h", importWh: 1_234_567, exportWh: 345_678 });
        expect(r.derived).toBeFalsy();
      }
      // a quarter of an hour buying 2 kW, then one selling 4 kW: the Edge's counters move by
      // what crossed the grid connection, and the readings with them
      edge.advance(15 * 60_000, 2000);
      now = Date.parse("2026-06-21T09:30:10Z");
      await expect.poll(() => readings().at(-1)?.importWh).toBe(1_234_567 + 500);
      edge.advance(15 * 60_000, -4000);
      now = Date.parse("2026-06-21T09:45:10Z");
      await expect.poll(() => readings().at(-1)).toMatchObject({ importWh: 1_235_067, exportWh: 345_678 + 1000 });
      expect(edge.value("meter0/ActiveProductionEnergy")).toBe(500);
      expect(edge.value("meter0/ActiveConsumptionEnergy")).toBe(1000);
    } finally {
      await bridge.stop();
      now = Date.parse("2026-06-21T09:02:00Z");
    }
  });

  it("without grid counters (readings: integrate): bids for the battery, posts and renews its set-point, follows the cleared plan, and reports derived readings", async () => {
    const events: EdgeBridgeEvent[] = [];
    const base = config({ renewSeconds: 1, sampleSeconds: 1 });
    const bridge = await EdgeBridge.start(
      { ...base, edge: { ...base.edge, readings: "integrate" } },
      {
        tickMs: 100,
        onEvent: (e) => events.push(e),
      },
    );
    try {
      await expect.poll(() => events.some((e) => e.type === "submitted")).toBe(true);
      expect((await rest().orders()).some((o) => o.order.slot === "2026-06-21T09:15:00.000Z")).toBe(true);
      // the set-point is posted at the slot start and again well inside the Edge's timeout
      await expect
        .poll(() => edge.writes.filter((w) => w.channel === CHANNELS.setpoint("ess0")).length, { timeout: 5_000 })
        .toBeGreaterThanOrEqual(3);
      const times = edge.writes.filter((w) => w.channel === CHANNELS.setpoint("ess0")).map((w) => w.at);
      for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeLessThan(30_000);

      now = Date.parse("2026-06-21T09:11:00Z");
      await clear(hub.url, "2026-06-21T09:15:00.000Z");
      now = Date.parse("2026-06-21T09:15:20Z");
      await expect
        .poll(() =>
          events.some(
            (e) =>
              e.type === "applied" &&
              e.decision.startMs === Date.parse("2026-06-21T09:15:00Z") &&
              e.decision.mode === "plan",
          ),
        )
        .toBe(true);
      // grid power integrated into registers, reported as derived readings the hub took
      await expect.poll(() => events.filter((e) => e.type === "reading").length).toBeGreaterThanOrEqual(2);
      const readings = events.filter((e) => e.type === "reading");
      expect(readings.every((e) => e.type === "reading" && e.reading.derived === true)).toBe(true);
      // readings carry the times the registers were read (the bridge started at 09:02)
      for (const e of readings)
        expect(["2026-06-21T09:02:00.000Z", "2026-06-21T09:11:00.000Z", "2026-06-21T09:15:20.000Z"]).toContain(
          e.type === "reading" && e.reading.at,
        );
      // 3.6 kW from the grid: a watt-hour a second, integrated while the clock runs
      edge.set(CHANNELS.grid, 3600);
      // until the bridge's registers (kept in its state folder) have counted a watt-hour
      const registers = join(base.stateDir, "registers.json");
      await expect
        .poll(
          () =>
            existsSync(registers) ? (JSON.parse(readFileSync(registers, "utf8")) as { importWh: number }).importWh : 0,
          {
            timeout: 10_000,
          },
        )
        .toBeGreaterThanOrEqual(1);
      now = Date.parse("2026-06-21T09:30:20Z");
      await expect
        .poll(
          () => events.filter((e) => e.type === "reading").some((e) => e.type === "reading" && e.reading.importWh >= 1),
          {
            timeout: 10_000,
          },
        )
        .toBe(true);
      // the slot of 09:15 is metered from the reads around it
      const energy = await rest().energy({ from: "2026-06-21T09:15:00Z", to: "2026-06-21T09:30:00Z" });
      expect(energy[0]?.slot).toBe("2026-06-21T09:15:00.000Z");
    } finally {
      await bridge.stop();
    }
    // stopped: the set-point released to the Edge's own control, and not renewed after
    const last = edge.writes.findLast((w) => w.channel === CHANNELS.setpoint("ess0"));
    expect(last?.value).toBeNull();
    const count = edge.writes.length;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(edge.writes.length).toBe(count);
  });

  // every way the README has users run the bridge, stopped the way their tools stop it
  it.each([
    [
      "npm run openems-bridge, SIGTERM to npm (docker stop, pm2, systemd KillMode=process, kill <pid>)",
      "npm",
      "SIGTERM",
    ],
    ["npm run openems-bridge, Ctrl-C in its terminal (SIGINT to the whole group)", "npm", "ctrl-c"],
    ["node on the CLI (compose, systemd), SIGTERM to node", "node", "SIGTERM"],
  ] as const)(
    "%s: the set-point is released once, and nothing is left running",
    async (_, how, stop) => {
      const dir = mkdtempSync(join(tmpdir(), "openlem-edge-cli-"));
      const file = join(dir, "edge.yaml");
      writeFileSync(file, readFileSync(join(REPO_ROOT, "examples/openems/edge.yaml"), "utf8"));
      const env = {
        EDGE_URL: edge.url,
        EDGE_PASSWORD: OWNER_PASSWORD,
        OPENLEM_HUB_URL: hub.url,
        OPENLEM_COMMUNITY: "c",
        OPENLEM_HOUSEHOLD: "h",
        OPENLEM_DEVICE_TOKEN: token,
        OPENLEM_METER_ID: "m-h",
        OPENLEM_STATE_DIR: dir,
      };
      const cli = join(import.meta.dirname, "../src/cli.ts");
      const b =
        how === "npm"
          ? startBridge("npm", ["run", "openems-bridge", "--", "--config", file], env)
          : startBridge(
              process.execPath,
              ["--import", "tsx", "--conditions=@openlem/source", cli, "--config", file],
              env,
            );
      const setpoints = () => edge.writes.filter((w) => w.channel === CHANNELS.setpoint("ess0"));
      const before = setpoints().length;
      try {
        // steering: a set-point of its own posted
        await expect
          .poll(
            () =>
              setpoints()
                .slice(before)
                .some((w) => w.value !== null),
            { timeout: 30_000 },
          )
          .toBe(true);
        const released = () =>
          setpoints()
            .slice(before)
            .filter((w) => w.value === null).length;
        const releasedBefore = released();
        if (stop === "ctrl-c") process.kill(-b.pid, "SIGINT");
        else process.kill(b.pid, "SIGTERM");
        expect(await b.exited).toEqual({ code: 0, signal: null });
        expect(b.output()).toMatch(/released to the Edge's own control/);
        expect(released()).toBe(releasedBefore + 1);
        expect(setpoints().at(-1)?.value).toBeNull();
        expect(processesWith(file)).toEqual([]);
      } finally {
        killAll(b, file);
      }
    },
    60_000,
  );
});
