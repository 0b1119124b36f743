import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * The real node-red-contrib-power-saver as a test peer: its package tarball (the path in
 * OPENLEM_TEST_POWER_SAVER; `.ci/run` sets it) installed with its own dependencies from the npm
 * registry into a cache keyed by the tarball's hash (seconds the first time, none after), and
 * linked into a Node-RED user directory as a user's `npm install` would put it there.
 */
export function installPowerSaver(tarball: string): string {
  const file = resolve(tarball);
  if (!existsSync(file)) throw new Error(`OPENLEM_TEST_POWER_SAVER: no file at ${file}`);
  const hash = createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 16);
  const dir = join(process.env.OPENLEM_POWER_SAVER_CACHE ?? join(homedir(), ".cache", "openlem-power-saver"), hash);
  const pkg = join(dir, "node_modules", "node-red-contrib-power-saver");
  const ready = join(dir, ".openlem-ready");
  if (!existsSync(ready)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--omit=dev", file], {
      cwd: dir,
      stdio: ["ignore", "ignore", "pipe"],
    });
    writeFileSync(ready, "");
  }
  return pkg;
}

/** Puts the installed package into a Node-RED user directory's node_modules. */
export function linkPowerSaver(pkg: string, userDir: string): void {
  mkdirSync(join(userDir, "node_modules"), { recursive: true });
  symlinkSync(pkg, join(userDir, "node_modules", "node-red-contrib-power-saver"), "dir");
}
