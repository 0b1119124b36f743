#!/usr/bin/env node
/**
 * Keeps package-lock.json valid for `npm ci` when the registry a machine reaches lacks some
 * platform builds of a dependency (seen here: @biomejs/cli-darwin-*, -win32-*, -android-*).
 * npm then leaves those optional packages out of the lock, and `npm ci` refuses the lock as
 * out of sync. This adds the entries npm would write against the full registry: optional,
 * restricted by os/cpu/libc, so npm skips them on other platforms. Runs after `npm install`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
if (!existsSync(file)) process.exit(0);
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages ?? {};
const PLATFORM =
  /-(win32|darwin|linux|android|freebsd|openbsd|sunos|aix)-(x64|arm64|ia32|arm|ppc64|s390x|riscv64)(?:-(musl|gnu|msvc|gnueabihf))?$/;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key] || packages[`${path}/${key}`]) continue;
    const m = PLATFORM.exec(name);
    if (!m || !/^\d+\.\d+\.\d+/.test(range)) continue;
    const [, os, cpu, libc] = m;
    packages[key] = {
      version: range,
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(libc === "musl" ? { libc: ["musl"] } : libc === "gnu" ? { libc: ["glibc"] } : {}),
      ...(entry.license ? { license: entry.license } : {}),
      optional: true,
      os: [os],
    };
    added++;
  }
}
if (added > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
  );
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`complete-lockfile: added ${added} optional platform packages the registry did not offer`);
}
