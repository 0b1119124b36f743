import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_ARGS } from "../../test-support/browser.js";
import { clear, hubOn, seed } from "../../test-support/hub-fixture.js";
import { installPowerSaver, linkPowerSaver } from "../../test-support/power-saver.js";
import { describeWithRealService, realServiceUrl } from "../../test-support/real-services.js";
import { configVersion } from "../src/migrations.js";

const require = createRequire(import.meta.url);
const pkg = join(import.meta.dirname, "..");
const root = join(pkg, "..");

interface RedRuntime {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: (req: unknown, res: unknown, next: unknown) => void;
}
interface WebSocketLike {
  on(event: "message", cb: (data: Buffer) => void): void;
  on(event: "open", cb: () => void): void;
  send(data: string): void;
  close(): void;
}
type Debug = { name: string; msg: Record<string, unknown> };

// the hub's clock, moved by the test
let now = Date.parse("2026-06-21T09:02:00Z");

// power-saver plans days and hours by Node-RED's own clock (luxon's local zone), so the
// Node-RED under test runs in the community's zone, as the openlem-price help tells users to
process.env.TZ = "Europe/Amsterdam";

/**
 * Every example flow of the package, imported into a real Node-RED (with the package installed
 * from its build, as a user installs it, and the Home Assistant palette the examples use),
 * pointed at a real hub, and run: each submits orders or readings and acts on a clearing.
 */
describe("the example flows in a real Node-RED", () => {
  let hub: RunningHub;
  let token = "";
  let red: RedRuntime;
  let server: Server;
  let base = "";
  let ws: WebSocketLike;
  const debug: Debug[] = [];
  /** Each node's last status text, by node id. */
  const status = new Map<string, string>();
  let files: string[] = [];
  const rest = () => new HubRest({ url: hub.url, communityId: "c", householdId: "h", auth: { deviceToken: token } });

  beforeAll(async () => {
    // the package as a user installs it: packed (which builds it), then unpacked into node_modules
    const packDir = mkdtempSync(join(tmpdir(), "openlem-pack-"));
    const packed = JSON.parse(
      execFileSync(
        "npm",
        ["pack", "-w", "@openlem/node-red-contrib-openlem", "--json", "--pack-destination", packDir],
        {
          cwd: root,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        },
      ).replace(/^[^[]*/, ""),
    ) as { filename: string; files: { path: string }[] }[];
    files = packed[0]?.files.map((f) => f.path) ?? [];
    hub = await hubOn({ now: () => new Date(now) });
    ({ deviceToken: token } = await seed(hub.url));

    const userDir = mkdtempSync(join(tmpdir(), "openlem-node-red-"));
    mkdirSync(join(userDir, "node_modules", "@openlem"), { recursive: true });
    const installed = join(userDir, "node_modules", "@openlem", "node-red-contrib-openlem");
    mkdirSync(installed);
    execFileSync("tar", ["-xzf", join(packDir, packed[0]?.filename ?? ""), "-C", installed, "--strip-components=1"]);

    // the real power-saver, as a user installs it next to these nodes
    const powerSaver = realServiceUrl("powerSaver");
    if (powerSaver) linkPowerSaver(installPowerSaver(powerSaver), userDir);

    red = require("node-red") as RedRuntime;
    const express = require("express") as () => { use(path: string, h: unknown): void } & Parameters<
      typeof createServer
    >[1];
    const app = express();
    server = createServer(app);
    red.init(server, {
      userDir,
      flowFile: "flows.json",
      credentialSecret: "example-test",
      httpAdminRoot: "/red",
      httpNodeRoot: false,
      uiPort: 0,
      logging: { console: { level: "warn" } },
      editorTheme: { tours: false },
      // no "Enable Update Notifications" dialog over the editor in the browser tests
      telemetry: { enabled: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
    });
    app.use("/red", red.httpAdmin);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/red`;
    await red.start();
    mkdirSync(join(pkg, "test-results"), { recursive: true });

    const WebSocket = require("ws") as new (url: string) => WebSocketLike;
    ws = new WebSocket(`${base.replace("http", "ws")}/comms`);
    await new Promise<void>((r) => ws.on("open", () => r()));
    ws.send(JSON.stringify({ subscribe: "debug" }));
    // every node's status, as the editor shows it (Node-RED's comms topic status/<node id>)
    ws.send(JSON.stringify({ subscribe: "status/#" }));
    ws.on("message", (data) => {
      for (const m of JSON.parse(data.toString()) as { topic: string; data: { name: string; msg: string } }[]) {
        if (m.topic.startsWith("status/")) {
          status.set(m.topic.slice("status/".length), (m.data as unknown as { text?: string }).text ?? "");
          continue;
        }
        if (m.topic !== "debug") continue;
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(m.data.msg) as Record<string, unknown>;
        } catch {
          msg = { payload: m.data.msg };
        }
        debug.push({ name: m.data.name, msg });
      }
    });
  }, 120_000);
  afterAll(async () => {
    ws?.close();
    await red?.stop();
    server?.close();
    await hub?.close();
  });

  /** Imports an example as a user would, pointed at the test hub and household. */
  async function deploy(file: string) {
    // the statuses of the flows deployed before are gone with them
    status.clear();
    const flow = JSON.parse(readFileSync(join(pkg, "examples", file), "utf8")) as Record<string, unknown>[];
    // Import > Examples puts the nodes on the open tab; deploying through the API needs one
    const tab = `tab-${file}`;
    for (const n of flow) {
      if (n.type !== "openlem-hub" && n.type !== "server") n.z = tab;
      if (n.type === "openlem-hub")
        Object.assign(n, { url: hub.url, community: "c", household: "h", credentials: { token } });
      if (n.type === "openlem-meter") n.meterId = "m-h";
      // no Home Assistant here: its nodes load and wait for it, the inject nodes stand in
      if (n.type === "server") n.credentials = { host: "http://127.0.0.1:9", access_token: "none" };
      if (n.type === "openlem-boiler" || n.type === "openlem-battery") n.tickS = "0.2";
    }
    const res = await fetch(`${base}/flows`, {
      method: "POST",
      headers: { "content-type": "application/json", "Node-RED-Deployment-Type": "full" },
      body: JSON.stringify([{ id: tab, type: "tab", label: file }, ...flow]),
    });
    expect([200, 204], await res.text()).toContain(res.status);
  }
  // deploying returns before every node has started: the inject node answers once it runs
  const inject = (id: string) =>
    expect
      .poll(async () => (await fetch(`${base}/inject/${id}`, { method: "POST" })).status, { timeout: 10_000 })
      .toBe(200);
  const seen = (name: string, where: (m: Record<string, unknown>) => boolean = () => true) =>
    expect
      .poll(() => debug.some((d) => d.name === name && where(d.msg)), { timeout: 20_000, interval: 100 })
      .toBe(true);

  it("packs the built nodes, their help, the locale, icons and examples, with a node-red section", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/openlem.js",
        "dist/openlem.html",
        "dist/locales/en-US/openlem.json",
        "dist/icons/openlem.svg",
        "examples/boiler-home-assistant.json",
        "package.json",
      ]),
    );
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { "node-red": unknown };
    expect(manifest["node-red"]).toMatchObject({ nodes: { openlem: "dist/openlem.js" } });
    const html = readFileSync(join(pkg, "dist", "openlem.html"), "utf8");
    for (const type of ["openlem-hub", "openlem-boiler", "openlem-ev"])
      expect(html).toContain(`<script type="text/markdown" data-help-name="${type}">`);
  });

  describeWithRealService("browser", "in the editor, in Chromium", (chrome) => {
    it("shows every node's help in Node-RED's editor as written: each property with its whole description", async () => {
      const browser = await chromium.launch({ executablePath: chrome, args: BROWSER_ARGS });
      try {
        const page = await browser.newPage();
        await page.goto(`${base}/`);
        await page.waitForFunction(() => {
          const red = (window as unknown as { RED?: { nodes?: { getType(t: string): unknown } } }).RED;
          return red?.nodes?.getType("openlem-order") !== undefined;
        });
        for (const dir of readdirSync(join(pkg, "src", "nodes"))) {
          const type = `openlem-${dir}`;
          // the help sidebar, rendered by the editor's own markdown (property lists included)
          await page.evaluate((t) => {
            const red = (
              window as unknown as { RED: { sidebar: { show(tab: string): void; help: { show(t: string): void } } } }
            ).RED;
            red.sidebar.show("help");
            red.sidebar.help.show(t);
          }, type);
          const written = readFileSync(join(pkg, "src", "nodes", dir, "help.md"), "utf8")
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l.startsWith(": "))
            .map((l) =>
              l
                .slice(l.indexOf(")") + 1)
                .replace(/^\s*:/, "")
                .trim()
                .replace(/`/g, "")
                .replace(/_([^_]+)_/g, "$1"),
            );
          await expect
            .poll(
              () =>
                page
                  .locator(".red-ui-help:visible dl.message-properties > dd")
                  .evaluateAll((dds) => dds.map((d) => d.textContent?.trim())),
              { message: `${type}: what the editor shows of each property` },
            )
            .toEqual(written);
          await page.screenshot({ path: join(pkg, "test-results", `help-${dir}.png`) });
        }
      } finally {
        await browser.close();
      }
    });

    it("edit dialogs refuse what the runtime refuses, show the limit's own field, and keep what they save", async () => {
      const browser = await chromium.launch({ executablePath: chrome, args: BROWSER_ARGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(`${base}/`);
        await page.waitForFunction(
          "typeof OpenLEMEditor === 'object' && RED.nodes.getType('openlem-boiler') !== undefined",
        );
        // the dialogs' rule is the runtime's: a hub URL needs its scheme, numbers are written plainly
        const verdicts = await page.evaluate(`[
        OpenLEMEditor.check("openlem-hub", "url", "localhost:8787"),
        OpenLEMEditor.check("openlem-hub", "url", "http://localhost:8787"),
        OpenLEMEditor.check("openlem-boiler", "maxBuyPrice", ".25"),
        OpenLEMEditor.check("openlem-boiler", "heaterW", "3e3"),
        OpenLEMEditor.check("openlem-boiler", "maxBuyPrice", "0.25"),
        OpenLEMEditor.check("openlem-meter", "meterId", ""),
      ]`);
        expect(verdicts).toEqual([
          "url: must be the hub's http(s) URL, e.g. http://localhost:8787",
          true,
          "maxBuyPrice: must be a number written with digits and a decimal point, such as 0.25 or 3000",
          "heaterW: must be a number written with digits and a decimal point, such as 0.25 or 3000",
          true,
          "meterId: is required: the meter's id from the operator",
        ]);
        // and the rules between fields, as the runtime runs them: each marks every field it involves
        const cold = `{ minTempC: "70", targetTempC: "55", maxTempC: "65", legionellaTempC: "60" }`;
        const crossField = await page.evaluate(`[
        OpenLEMEditor.check("openlem-boiler", "minTempC", "70", ${cold}),
        OpenLEMEditor.check("openlem-boiler", "targetTempC", "55", ${cold}),
        OpenLEMEditor.check("openlem-boiler", "maxTempC", "65", ${cold}),
        OpenLEMEditor.check("openlem-boiler", "legionellaTempC", "70", { maxTempC: "65" }),
        OpenLEMEditor.check("openlem-battery", "maxSoc", "0.5", { minSoc: "0.9", maxSoc: "0.5" }),
        OpenLEMEditor.check("openlem-battery", "maxSoc", "0.95", { minSoc: "0.9", maxSoc: "0.95" }),
      ]`);
        expect(crossField).toEqual([
          "minTempC: must be below targetTempC",
          "minTempC: must be below targetTempC",
          true,
          "legionellaTempC: must not exceed maxTempC",
          "minSoc: must be below maxSoc",
          true,
        ]);
        // a node imported with contradictory limits is invalid, so deploying it warns
        const imported = await page.evaluate(`(() => {
        RED.nodes.import([{ id: "badboiler", type: "openlem-boiler", x: 500, y: 120, z: RED.workspaces.active(),
          hub: "", limit: "absolute", minTempC: "45", targetTempC: "55", maxTempC: "65", legionellaTempC: "70", version: 1 }]);
        const n = RED.nodes.node("badboiler");
        RED.editor.validateNode(n);
        return { valid: n.valid, errors: n.validationErrors };
      })()`);
        expect(imported).toMatchObject({
          valid: false,
          errors: expect.arrayContaining(["legionellaTempC: must not exceed maxTempC"]),
        });
        // a boiler as the palette adds it (every field at its default), opened as a double-click opens it
        await page.evaluate(`(() => {
        const d = RED.nodes.getType("openlem-boiler").defaults;
        const node = { id: "dlgboiler", type: "openlem-boiler", x: 300, y: 120, z: RED.workspaces.active() };
        for (const k of Object.keys(d)) node[k] = d[k].value;
        RED.nodes.import([node]);
        RED.editor.edit(RED.nodes.node("dlgboiler"));
      })()`);
        const field = (name: string) => page.locator(`#node-input-${name}`);
        const typeInto = async (name: string, text: string) => {
          await field(name).fill("");
          await field(name).pressSequentially(text);
        };
        await field("maxBuyPrice").waitFor();
        // a minimum above the target: both fields turn red, the maximum does not
        const marked = async (name: string) => /input-error/.test((await field(name).getAttribute("class")) ?? "");
        await typeInto("minTempC", "70");
        await expect.poll(() => marked("minTempC")).toBe(true);
        expect(await marked("targetTempC")).toBe(true);
        expect(await marked("maxTempC")).toBe(false);
        await page.screenshot({ path: join(pkg, "test-results", "dialog-boiler-min-above-target.png") });
        await typeInto("minTempC", "45");
        await expect.poll(() => marked("minTempC")).toBe(false);
        expect(await marked("targetTempC")).toBe(false);
        await typeInto("maxBuyPrice", ".25");
        await expect.poll(() => field("maxBuyPrice").getAttribute("class")).toMatch(/input-error/);
        await page.screenshot({ path: join(pkg, "test-results", "dialog-boiler-refused.png") });
        await typeInto("maxBuyPrice", "0.25");
        await expect
          .poll(async () => (await field("maxBuyPrice").getAttribute("class")) ?? "")
          .not.toMatch(/input-error/);
        // relative limits: the share, not "Pay at most"
        expect(await field("cheapestShare").isVisible()).toBe(false);
        await field("limit").selectOption("relative");
        await expect.poll(() => field("maxBuyPrice").isVisible()).toBe(false);
        expect(await field("cheapestShare").isVisible()).toBe(true);
        await typeInto("cheapestShare", "0.3");
        await page.locator("#node-dialog-ok").click();
        await expect.poll(() => field("limit").count()).toBe(0);
        // saved, and the dialog opens again as it was left
        const saved = await page.evaluate(`(() => {
        const n = RED.nodes.node("dlgboiler");
        return { limit: n.limit, cheapestShare: n.cheapestShare, maxBuyPrice: n.maxBuyPrice };
      })()`);
        expect(saved).toEqual({ limit: "relative", cheapestShare: "0.3", maxBuyPrice: "0.25" });
        await page.evaluate(`RED.editor.edit(RED.nodes.node("dlgboiler"))`);
        await expect.poll(() => field("limit").inputValue()).toBe("relative");
        await expect.poll(() => field("maxBuyPrice").isVisible()).toBe(false);
        expect(await field("cheapestShare").inputValue()).toBe("0.3");
        await page.screenshot({ path: join(pkg, "test-results", "dialog-boiler-reopened.png") });
        // a boiler from a 0.1.0 flow (no settings version): the dialog migrates it and saves the current one
        expect(await page.evaluate(`RED.nodes.node("dlgboiler").version`)).toBe(1);
        // by script: the editor's notifications (a deploy reminder) may lie over the buttons
        await page.evaluate(`$("#node-dialog-cancel").trigger("click")`);
        await expect.poll(() => field("limit").count()).toBe(0);
        await page.evaluate(`(() => {
        RED.nodes.import([{ id: "oldboiler", type: "openlem-boiler", x: 300, y: 220, z: RED.workspaces.active(),
          hub: "", limit: "absolute", maxBuyPrice: "0.2", minTempC: "47" }]);
        RED.editor.edit(RED.nodes.node("oldboiler"));
      })()`);
        await expect.poll(() => field("minTempC").inputValue()).toBe("47");
        await page.evaluate(`$("#node-dialog-ok").trigger("click")`);
        await expect.poll(() => field("limit").count()).toBe(0);
        expect(
          await page.evaluate(
            `(() => { const n = RED.nodes.node("oldboiler"); return [n.version, n.minTempC, n.maxBuyPrice]; })()`,
          ),
        ).toEqual([1, "47", "0.2"]);
      } finally {
        await browser.close();
      }
    });
  });

  it("uses the Home Assistant nodes in their current shapes, so the editor asks for no update after import", () => {
    // the palette's own migrations say what its current version of each node is
    const dist = join(require.resolve("node-red-contrib-home-assistant-websocket/package.json"), "..", "dist", "nodes");
    const latest = (dir: string) =>
      Math.max(
        ...(require(join(dist, dir, "migrations.js")) as { default: { version: number }[] }).default.map(
          (m) => m.version,
        ),
      );
    const current: Record<string, number> = {
      "server-state-changed": latest("events-state"),
      "api-call-service": latest("action"),
      server: latest("config-server"),
    };
    let checked = 0;
    for (const file of readdirSync(join(pkg, "examples"))) {
      const flow = JSON.parse(readFileSync(join(pkg, "examples", file), "utf8")) as {
        type: string;
        version?: number;
      }[];
      for (const n of flow) {
        const want = current[n.type];
        if (want === undefined) continue;
        checked++;
        expect(n.version, `${file}: ${n.type}`).toBe(want);
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("writes this package's own nodes in the examples at their current settings version", () => {
    let checked = 0;
    for (const file of readdirSync(join(pkg, "examples"))) {
      const flow = JSON.parse(readFileSync(join(pkg, "examples", file), "utf8")) as {
        type: string;
        version?: number;
      }[];
      for (const n of flow.filter((n) => n.type.startsWith("openlem-"))) {
        checked++;
        expect(n.version, `${file}: ${n.type}`).toBe(configVersion(n.type));
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("ships every example the tests below run", () => {
    expect(readdirSync(join(pkg, "examples")).sort()).toEqual([
      "boiler-home-assistant.json",
      "home-battery.json",
      "meter-reporting.json",
      "power-saver-bids.json",
      "price-dashboard.json",
    ]);
  });

  it("boiler driven by Home Assistant entities: bids for its heat, then follows the cleared plan", async () => {
    await deploy("boiler-home-assistant.json");
    await inject("try-boiler");
    await seen("boiler command", (m) => (m.payload as { action?: string }).action?.startsWith("switch.") === true);
    await seen("boiler schedule");
    // the next slot clears and starts: the boiler acts on it with its plan
    await expect.poll(async () => (await rest().clock()).nextOpenSlot).toBeDefined();
    now = Date.parse("2026-06-21T09:11:00Z");
    await clear(hub.url, "2026-06-21T09:15:00.000Z");
    now = Date.parse("2026-06-21T09:15:20Z");
    await seen(
      "boiler command",
      (m) => (m.decision as { mode: string; startMs: number }).startMs === Date.parse("2026-06-21T09:15:00Z"),
    );
    const d = debug.findLast((x) => x.name === "boiler command")?.msg.decision as { mode: string };
    expect(d.mode).toBe("plan");
  });

  it("home battery: sends set-points and follows the cleared plan", async () => {
    now = Date.parse("2026-06-21T09:32:00Z");
    await deploy("home-battery.json");
    await inject("try-battery");
    await seen("battery command", (m) => typeof (m.payload as { data?: { value?: number } }).data?.value === "number");
    now = Date.parse("2026-06-21T09:41:00Z");
    await clear(hub.url, "2026-06-21T09:45:00.000Z");
    now = Date.parse("2026-06-21T09:45:20Z");
    await seen(
      "battery command",
      (m) => (m.decision as { mode: string; startMs: number }).startMs === Date.parse("2026-06-21T09:45:00Z"),
    );
    const d = debug.findLast((x) => x.name === "battery command")?.msg.decision as { mode: string };
    expect(d.mode).toBe("plan");
  });

  it("meter reporting: the hub takes the readings of both registers", async () => {
    now = Date.parse("2026-06-21T10:00:00Z");
    await deploy("meter-reporting.json");
    await inject("try-import");
    await inject("try-export");
    await seen("reading sent", (m) => (m.payload as { accepted?: number }).accepted === 1);
    const sent = debug.findLast((x) => x.name === "reading sent")?.msg.payload as { reading: Record<string, unknown> };
    expect(sent.reading).toMatchObject({ meterId: "m-h", importWh: 1_234_500, exportWh: 10_250 });
  });

  describeWithRealService("powerSaver", "with the real node-red-contrib-power-saver", () => {
    /** What a flow's debug node showed last under `name`. */
    const lastSeen = (name: string) => debug.findLast((d) => d.name === name)?.msg;
    /** The bids a flow placed: the orders the hub has under the node's id prefix. */
    const bidsOf = async (prefix: string) =>
      (await rest().orders()).filter((o) => o.order.clientOrderId.startsWith(prefix) && o.status !== "cancelled");

    it("Best Save (the example flow): bids the heater's energy per day in the cheapest minutes it allows, not its power for every one", async () => {
      now = Date.parse("2026-06-21T10:20:00Z");
      await deploy("power-saver-bids.json");
      // the price node has the hub's retained price once its feed is up; the inject repeats it
      await expect
        .poll(
          async () => {
            await fetch(`${base}/inject/try-ps`, { method: "POST" });
            return debug.some((d) => d.name === "bids placed");
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(true);
      const placed = lastSeen("bids placed")?.payload as { order: { slot: string; energyWh: number } }[];
      const flow = JSON.parse(readFileSync(join(pkg, "examples", "power-saver-bids.json"), "utf8")) as {
        type: string;
        dailyKwh?: string;
        powerW?: string;
      }[];
      const node = flow.find((n) => n.type === "openlem-schedule");
      const dailyWh = Number(node?.dailyKwh) * 1000;
      const powerW = Number(node?.powerW);
      // the plan runs to the end of tomorrow (local); bids start at the next open slot, 10:30 UTC
      const from = Date.parse("2026-06-21T10:30:00Z");
      const todayEnd = Date.parse("2026-06-21T22:00:00Z");
      const need = dailyWh * ((todayEnd - from) / 86_400_000) + dailyWh;
      const total = placed.reduce((a, r) => a + r.order.energyWh, 0);
      // each slot rounds to the Wh
      expect(Math.abs(total - need)).toBeLessThanOrEqual(placed.length);
      // far less than the heater's power over every minute Best Save allows (the old reading)
      expect(total).toBeLessThan((powerW * (Date.parse("2026-06-22T22:00:00Z") - from)) / 3_600_000 / 4);
      for (const r of placed) expect(r.order.energyWh).toBeLessThanOrEqual(powerW / 4);
      expect((await bidsOf("ps-")).length).toBe(placed.length);
    });

    it("Lowest Price over 00:00-00:00 plans whole community days, and bids the power for each planned minute", async () => {
      now = Date.parse("2026-06-21T11:20:00Z");
      const flow = [
        { id: "lp-price", type: "openlem-price", hub: "lp-hub", version: 1, wires: [["lp-strategy"]] },
        {
          id: "lp-try",
          type: "inject",
          props: [{ p: "payload" }],
          payload: "",
          payloadType: "date",
          wires: [["lp-price"]],
        },
        {
          id: "lp-strategy",
          type: "ps-strategy-lowest-price",
          fromHour: "00",
          fromMinute: "00",
          toHour: "00",
          toMinute: "00",
          minutesOn: "240",
          doNotSplit: false,
          outputIfNoSchedule: "false",
          outputOutsidePeriod: "false",
          contextStorage: "default",
          wires: [[], [], ["lp-schedule", "lp-plan"]],
        },
        {
          id: "lp-plan",
          type: "debug",
          name: "lowest price plan",
          active: true,
          tosidebar: true,
          complete: "true",
          targetType: "full",
          wires: [],
        },
        {
          id: "lp-schedule",
          type: "openlem-schedule",
          hub: "lp-hub",
          version: 1,
          powerW: "2000",
          maxBuyPrice: "",
          dailyKwh: "",
          wires: [["lp-order"]],
        },
        { id: "lp-order", type: "openlem-order", hub: "lp-hub", version: 1, wires: [["lp-placed"], []] },
        {
          id: "lp-placed",
          type: "debug",
          name: "lowest price bids",
          active: true,
          tosidebar: true,
          complete: "true",
          targetType: "full",
          wires: [],
        },
        {
          id: "lp-hub",
          type: "openlem-hub",
          version: 1,
          url: hub.url,
          community: "c",
          household: "h",
          mqttUrl: "",
          credentials: { token },
        },
      ];
      const tab = "tab-lowest-price";
      const res = await fetch(`${base}/flows`, {
        method: "POST",
        headers: { "content-type": "application/json", "Node-RED-Deployment-Type": "full" },
        body: JSON.stringify([
          { id: tab, type: "tab", label: "lowest price" },
          ...flow.map((n) => (n.type === "openlem-hub" ? n : { ...n, z: tab })),
        ]),
      });
      expect([200, 204]).toContain(res.status);
      await expect
        .poll(
          async () => {
            await fetch(`${base}/inject/lp-try`, { method: "POST" });
            return debug.some((d) => d.name === "lowest price bids");
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(true);
      const plan = lastSeen("lowest price plan")?.payload as {
        schedule: { time: string; value: boolean; countMinutes: number | null }[];
      };
      // today is planned from its local midnight (22:00 UTC the day before), not from the slot under way
      const onMinutesOn = (dayStart: number) =>
        plan.schedule
          .filter((e) => e.value && Date.parse(e.time) >= dayStart && Date.parse(e.time) < dayStart + 86_400_000)
          .reduce((a, e) => a + (e.countMinutes ?? 0), 0);
      expect(onMinutesOn(Date.parse("2026-06-20T22:00:00Z"))).toBe(240);
      expect(onMinutesOn(Date.parse("2026-06-21T22:00:00Z"))).toBe(240);
      // the bids: 2 kW for every planned minute from the next open slot on (power-saver's "on" is "runs" here)
      const from = Date.parse("2026-06-21T11:30:00Z");
      const onAfter = plan.schedule
        .filter((e) => e.value)
        .reduce((a, e) => {
          const start = Date.parse(e.time);
          const end = start + (e.countMinutes ?? 0) * 60_000;
          return a + Math.max(0, end - Math.max(start, from));
        }, 0);
      const placed = lastSeen("lowest price bids")?.payload as { order: { energyWh: number } }[];
      const total = placed.reduce((a, r) => a + r.order.energyWh, 0);
      expect(Math.abs(total - (2000 * onAfter) / 3_600_000)).toBeLessThanOrEqual(placed.length);
      expect(total).toBeGreaterThan(0);
    });
  });

  it("price dashboard: shows each clearing result, the price and its forecast as a chart series", async () => {
    await deploy("price-dashboard.json");
    // the live feed connects: the price and result nodes say so
    await expect
      .poll(() => [status.get("price"), status.get("result")], { timeout: 20_000 })
      .toEqual(["connected", "connected"]);
    now = Date.parse("2026-06-21T10:11:00Z");
    await clear(hub.url, "2026-06-21T10:15:00.000Z");
    await seen("clearing result", (m) => (m.payload as { slot?: string }).slot === "2026-06-21T10:15:00.000Z");
    await seen("chart series", (m) => Array.isArray(m.payload) && (m.payload as unknown[]).length > 0);
    await seen("price and forecast", (m) => typeof (m.payload as { price?: number }).price === "number");
  });
});
