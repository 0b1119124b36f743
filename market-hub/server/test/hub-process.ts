import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { freePort } from "../../../test-support/hub-fixture.js";

/** `openlem-hub serve` as an operator deploys it: a process of its own, which a test may kill -9. */
export interface HubProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, as a failing machine: no clean stop, no will but the broker's. */
  kill(): Promise<void>;
}

export async function startHubProcess(env: Record<string, string>, args: string[] = []): Promise<HubProcess> {
  const mqttPort = String(await freePort());
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@openlem/source", join(import.meta.dirname, "../src/cli.ts"), "serve", ...args],
    {
      env: { ...process.env, PORT: "0", OPENLEM_MQTT_PORT: mqttPort, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stderr?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /OpenLEM hub on (http:\/\/\S+) /.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`the hub exited (${code}):\n${out}`)));
  });
  return {
    url,
    child,
    output: () => out,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGKILL");
      await gone;
    },
  };
}

/** A JSON request to a hub process: GET without a body, POST with one; bounded, for a hub that may be killed. */
export function callHub(url: string, path: string, token: string | null, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
}
