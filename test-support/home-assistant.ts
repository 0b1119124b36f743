import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import WebSocket from "ws";
import { freePort } from "./hub-fixture.js";

/**
 * A real Home Assistant core as a test peer: installed from PyPI into a cached venv by
 * `test-support/home-assistant/setup.sh VERSION` (`.ci/run` does it), started on a free port
 * with a temporary configuration, onboarded through its own API (/api/onboarding/users, then
 * /auth/token), given a long-lived access token over the websocket, and connected to an MQTT
 * broker through the MQTT integration's config flow, as a user would in the UI.
 */
export interface RunningHomeAssistant {
  version: string;
  url: string;
  /** A long-lived access token of the owner (what a user makes under Profile > Security). */
  token: string;
  configDir: string;
  /** Home Assistant's log so far (stdout and stderr), for failure messages. */
  log(): string;
  states(): Promise<HassState[]>;
  state(entityId: string): Promise<HassState | undefined>;
  callService(domain: string, service: string, data: Record<string, unknown>): Promise<void>;
  /** One websocket command, answered (`result`). */
  command<T>(message: Record<string, unknown>): Promise<T>;
  /** Stops it (SIGTERM, then SIGKILL after 30 s) and starts it again on the same port and config, until it runs. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface HassState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
}

export interface HomeAssistantOptions {
  version: string;
  /** The broker Home Assistant's MQTT integration connects to. */
  mqtt?: { host: string; port: number; username?: string; password?: string };
  /** More configuration.yaml (entities the test needs). */
  extraConfig?: string;
  /**
   * Files to put into the config directory before the start, by relative path: `www/x.js` is
   * served at `/local/x.js` (Home Assistant serves `www` only if it exists when it starts).
   */
  files?: Record<string, string | Buffer>;
  /** The HTTP port; a free one by default (give one when others must know the address first). */
  port?: number;
}

const CACHE = process.env.OPENLEM_HA_CACHE ?? join(homedir(), ".cache", "openlem-ha");
const SETUP = join(import.meta.dirname, "home-assistant", "setup.sh");
const RUN = join(import.meta.dirname, "home-assistant", "run.py");
const OWNER = { name: "OpenLEM Test", username: "owner", password: "openlem-test-owner-password" };

/** The venv of a version, or an error that says how to make it. */
export function homeAssistantVenv(version: string): string {
  const venv = join(CACHE, `v${version}`);
  if (!existsSync(join(venv, ".openlem-ready")))
    throw new Error(`Home Assistant ${version} is not installed: run ${SETUP} ${version} (.ci/run does)`);
  return venv;
}

/** The versions to test against, from OPENLEM_TEST_HOME_ASSISTANT (e.g. "2025.4.4,2026.2.3"). */
export function homeAssistantVersions(value: string): string[] {
  return value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

function configurationYaml(port: number, extra: string): string {
  return `homeassistant:
  name: OpenLEM test home
  latitude: 52.3676
  longitude: 4.9041
  elevation: 0
  unit_system: metric
  currency: EUR
  country: NL
  time_zone: Europe/Amsterdam
http:
  server_host: 127.0.0.1
  server_port: ${port}
api:
config:
onboarding:
logger:
  default: warning
${extra}
`;
}

/** Home Assistant could not bind its port: another process took it first. */
class PortTaken extends Error {
  constructor(port: number) {
    super(`port ${port} was taken before Home Assistant could bind it`);
  }
}

export async function startHomeAssistant(o: HomeAssistantOptions): Promise<RunningHomeAssistant> {
  const venv = homeAssistantVenv(o.version);
  const configDir = mkdtempSync(join(tmpdir(), `openlem-ha-${o.version}-`));
  let port = o.port ?? (await freePort());
  let url = `http://127.0.0.1:${port}`;
  writeFileSync(join(configDir, "configuration.yaml"), configurationYaml(port, o.extraConfig ?? ""));
  for (const [path, content] of Object.entries(o.files ?? {})) {
    mkdirSync(dirname(join(configDir, path)), { recursive: true });
    writeFileSync(join(configDir, path), content);
  }
  let output = "";
  let child: ChildProcess | undefined;

  const launch = async () => {
    output = "";
    child = spawn(join(venv, "bin", "python"), [RUN, "-c", configDir, "--skip-pip"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    child.stdout?.on("data", (b: Buffer) => {
      output += b.toString();
    });
    child.stderr?.on("data", (b: Buffer) => {
      output += b.toString();
    });
    const exited = new Promise<never>((_, reject) =>
      child?.once("exit", (code) =>
        reject(new Error(`Home Assistant ${o.version} exited (${code}) while starting:\n${output.slice(-3000)}`)),
      ),
    );
    // up when its API answers (401 without a token, or the onboarding answer)
    const up = (async () => {
      const deadline = Date.now() + 180_000;
      for (;;) {
        // another process took the free port between our look and Home Assistant's bind: it
        // keeps running without HTTP, so this is told from its log, not from an exit
        if (/Failed to create HTTP server at port \d+: .*address already in use/.test(output))
          throw new PortTaken(port);
        try {
          const res = await fetch(`${url}/api/onboarding`, { signal: AbortSignal.timeout(2_000) });
          if (res.status < 500) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline)
          throw new Error(`Home Assistant ${o.version} did not answer in 180 s:\n${output.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    // a child stopped after a failed start must not leave this rejection unhandled
    exited.catch(() => undefined);
    await Promise.race([up, exited]);
  };
  const stopChild = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise<void>((r) => c.once("exit", () => r()));
    c.kill("SIGTERM");
    const killer = setTimeout(() => c.kill("SIGKILL"), 30_000);
    await gone;
    clearTimeout(killer);
  };

  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        break;
      } catch (err) {
        if (!(err instanceof PortTaken) || o.port !== undefined || attempt >= 3) throw err;
        await stopChild();
        port = await freePort();
        url = `http://127.0.0.1:${port}`;
        writeFileSync(join(configDir, "configuration.yaml"), configurationYaml(port, o.extraConfig ?? ""));
      }
    }
    const token = await onboard(url);
    const ws = await HaSocket.open(url, token);
    const longLived = await ws.command<string>({
      type: "auth/long_lived_access_token",
      client_name: "openlem-tests",
      lifespan: 30,
    });
    ws.close();
    if (o.mqtt) await configureMqtt(url, longLived, o.mqtt);
    const headers = { authorization: `Bearer ${longLived}`, "content-type": "application/json" };
    const running: RunningHomeAssistant = {
      version: o.version,
      url,
      token: longLived,
      configDir,
      log: () => output,
      states: async () => (await (await fetch(`${url}/api/states`, { headers })).json()) as HassState[],
      state: async (entityId) => {
        const res = await fetch(`${url}/api/states/${entityId}`, { headers });
        return res.status === 404 ? undefined : ((await res.json()) as HassState);
      },
      callService: async (domain, service, data) => {
        const res = await fetch(`${url}/api/services/${domain}/${service}`, {
          method: "POST",
          headers,
          body: JSON.stringify(data),
        });
        if (!res.ok) throw new Error(`${domain}.${service}: HTTP ${res.status} ${await res.text()}`);
      },
      command: async (message) => {
        const socket = await HaSocket.open(url, longLived);
        try {
          return await socket.command(message);
        } finally {
          socket.close();
        }
      },
      restart: async () => {
        await stopChild();
        await launch();
        // its API answers before the integrations are set up: wait until Home Assistant says it runs
        const deadline = Date.now() + 120_000;
        for (;;) {
          const res = await fetch(`${url}/api/config`, { headers }).catch(() => null);
          const state = res?.ok ? ((await res.json()) as { state?: string }).state : undefined;
          if (state === "RUNNING") break;
          if (Date.now() > deadline)
            throw new Error(
              `Home Assistant ${o.version} did not reach RUNNING after a restart:\n${output.slice(-3000)}`,
            );
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      stop: async () => {
        await stopChild();
        rmSync(configDir, { recursive: true, force: true });
      },
    };
    return running;
  } catch (err) {
    await stopChild();
    throw err;
  }
}

/** Creates the owner through onboarding and logs in: a short-lived access token. */
async function onboard(url: string): Promise<string> {
  const clientId = `${url}/`;
  const res = await fetch(`${url}/api/onboarding/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: clientId, ...OWNER, language: "en" }),
  });
  if (!res.ok) throw new Error(`onboarding the owner: HTTP ${res.status} ${await res.text()}`);
  const { auth_code } = (await res.json()) as { auth_code: string };
  const tokenRes = await fetch(`${url}/auth/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", code: auth_code, client_id: clientId }),
  });
  if (!tokenRes.ok) throw new Error(`the owner's first token: HTTP ${tokenRes.status} ${await tokenRes.text()}`);
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  // the remaining onboarding steps, so the frontend opens on the dashboard, not the wizard
  const headers = { authorization: `Bearer ${access_token}`, "content-type": "application/json" };
  for (const [step, body] of [
    ["core_config", {}],
    ["analytics", {}],
    ["integration", { client_id: clientId, redirect_uri: `${url}/?auth_callback=1` }],
  ] as const)
    await fetch(`${url}/api/onboarding/${step}`, { method: "POST", headers, body: JSON.stringify(body) });
  return access_token;
}

/** The MQTT integration, set up through its config flow as the UI does it. */
async function configureMqtt(url: string, token: string, mqtt: NonNullable<HomeAssistantOptions["mqtt"]>) {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const start = await fetch(`${url}/api/config/config_entries/flow`, {
    method: "POST",
    headers,
    body: JSON.stringify({ handler: "mqtt", show_advanced_options: false }),
  });
  let step = (await start.json()) as { flow_id?: string; type?: string; step_id?: string; errors?: unknown };
  if (step.type === "menu" && step.flow_id)
    step = (await (
      await fetch(`${url}/api/config/config_entries/flow/${step.flow_id}`, {
        method: "POST",
        headers,
        body: JSON.stringify({ next_step_id: "broker" }),
      })
    ).json()) as typeof step;
  if (step.type !== "form" || !step.flow_id) throw new Error(`the MQTT config flow began with ${JSON.stringify(step)}`);
  const done = (await (
    await fetch(`${url}/api/config/config_entries/flow/${step.flow_id}`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        broker: mqtt.host,
        port: mqtt.port,
        ...(mqtt.username ? { username: mqtt.username } : {}),
        ...(mqtt.password ? { password: mqtt.password } : {}),
      }),
    })
  ).json()) as { type?: string; errors?: unknown };
  if (done.type !== "create_entry") throw new Error(`the MQTT config flow ended with ${JSON.stringify(done)}`);
}

/** Home Assistant's websocket API: auth, then numbered commands answered by `result`. */
class HaSocket {
  private id = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as {
        id?: number;
        type: string;
        success?: boolean;
        result?: unknown;
        error?: unknown;
      };
      if (msg.type !== "result" || msg.id === undefined) return;
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (!w) return;
      if (msg.success) w.resolve(msg.result);
      else w.reject(new Error(`Home Assistant refused: ${JSON.stringify(msg.error)}`));
    });
  }

  static open(url: string, token: string): Promise<HaSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/websocket`);
      ws.once("error", reject);
      ws.on("message", function first(data: Buffer) {
        const msg = JSON.parse(data.toString()) as { type: string };
        if (msg.type === "auth_required") ws.send(JSON.stringify({ type: "auth", access_token: token }));
        else if (msg.type === "auth_ok") {
          ws.off("message", first);
          resolve(new HaSocket(ws));
        } else if (msg.type === "auth_invalid") reject(new Error("Home Assistant refused the token"));
      });
    });
  }

  command<T>(message: Record<string, unknown>): Promise<T> {
    const id = ++this.id;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: (v) => resolve(v as T), reject });
      this.ws.send(JSON.stringify({ id, ...message }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
