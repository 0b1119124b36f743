import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HubRest } from "@openlem/client";
import type { RunningHub } from "@openlem/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clear, hubOn, seed } from "../../test-support/hub-fixture.js";

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
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
    });
    app.use("/red", red.httpAdmin);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/red`;
    await red.start();

    const WebSocket = require("ws") as new (url: string) => WebSocketLike;
    ws = new WebSocket(`${base.replace("http", "ws")}/comms`);
    await new Promise<void>((r) => ws.on("open", () => r()));
    ws.send(JSON.stringify({ subscribe: "debug" }));
    ws.on("message", (data) => {
      for (const m of JSON.parse(data.toString()) as { topic: string; data: { name: string; msg: string } }[]) {
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

  it("ships every example the tests below run", () => {
    expect(readdirSync(join(pkg, "examples")).sort()).toEqual([
      "boiler-home-assistant.json",
      "home-battery.json",
      "meter-reporting.json",
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

  it("price dashboard: shows each clearing result, the price and its forecast as a chart series", async () => {
    await deploy("price-dashboard.json");
    await new Promise((r) => setTimeout(r, 1_500)); // the live feed connects
    now = Date.parse("2026-06-21T10:11:00Z");
    await clear(hub.url, "2026-06-21T10:15:00.000Z");
    await seen("clearing result", (m) => (m.payload as { slot?: string }).slot === "2026-06-21T10:15:00.000Z");
    await seen("chart series", (m) => Array.isArray(m.payload) && (m.payload as unknown[]).length > 0);
    await seen("price and forecast", (m) => typeof (m.payload as { price?: number }).price === "number");
  });
});
