import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./hub-fixture.js";

/**
 * A Mosquitto of its own for a test (Debian's `mosquitto`, which `.ci/run` installs): a
 * household's broker, e.g. with a bridge to the hub's. Listens on a free loopback port.
 */
export interface RunningMosquitto {
  port: number;
  url: string;
  log(): string;
  stop(): Promise<void>;
}

export async function startMosquitto(extraConfig = ""): Promise<RunningMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), "openlem-mosquitto-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n${extraConfig}\n`);
  let output = "";
  const child: ChildProcess = spawn("mosquitto", ["-c", conf, "-v"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (b: Buffer) => {
    output += b.toString();
  });
  child.stderr?.on("data", (b: Buffer) => {
    output += b.toString();
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}):\n${output}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} in 10 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The Mosquitto bridge a household adds to its own broker (`/share/mosquitto/*.conf` with the
 * Mosquitto add-on) to bring its community's entities in: the hub's state and discovery in,
 * Home Assistant's birth message out (so that the hub announces again when Home Assistant
 * restarts). Bridge notifications stay off: the hub's broker lets nobody publish under `$SYS`.
 * The same text is in integrations/home-assistant/README.md.
 */
export function hubBridgeConfig(o: { hubHost: string; hubPort: number; household: string; token: string }): string {
  return `connection openlem-hub
address ${o.hubHost}:${o.hubPort}
remote_username ${o.household}
remote_password ${o.token}
remote_clientid openlem-bridge-${o.household}
bridge_protocol_version mqttv311
try_private false
notifications false
cleansession true
topic openlem/# in 1
topic homeassistant/+/+/config in 1
topic homeassistant/status out 1
`;
}
