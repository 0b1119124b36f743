import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The repository's root: the README's commands run from there. */
export const REPO_ROOT = join(import.meta.dirname, "..");

/** A bridge started the way a user starts it, with what it printed so far. */
export interface BridgeProcess {
  child: ChildProcess;
  /** The PID the user has: npm's for `npm run …`, node's for `node …`. */
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `command args` from the repository's root in a process group of its own (as a terminal
 * starts a job, so the test can send Ctrl-C to the group the way a terminal does).
 */
export function startBridge(command: string, args: string[], env: Record<string, string>): BridgeProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("exit", (code, signal) => r({ code, signal })),
  );
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  return { child, pid: child.pid, output: () => out, exited };
}

/** The processes still running whose command line contains `marker` (a config file's path). */
export function processesWith(marker: string): number[] {
  const ps = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return ps
    .split("\n")
    .filter((l) => l.includes(marker) && !l.includes("ps -eo"))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** Ends whatever is left of a started bridge (the test's own clean-up, not what it checks). */
export function killAll(b: BridgeProcess, marker: string): void {
  for (const pid of [b.pid, ...processesWith(marker)]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

/**
 * A package's bin as `npm install --global` puts it on the PATH, run from the sources here (a
 * shell script that `exec`s node, so the PID is the bridge's): in `dir`, named `name`.
 */
export function sourceBin(dir: string, name: string, cli: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\nexec "${process.execPath}" --import tsx --conditions=@openlem/source "${join(REPO_ROOT, cli)}" "$@"\n`,
    { mode: 0o755 },
  );
  return path;
}
