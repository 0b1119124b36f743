/**
 * The registry a machine reaches may lack some platform builds of a dependency (seen here:
 * @biomejs/cli-darwin-*, -win32-*, -android-*). npm then leaves those optional packages out of
 * package-lock.json, and `npm ci` on another platform refuses the lock as out of sync. These
 * are the entries npm would write against the full registry: optional, restricted by os/cpu/libc,
 * so npm skips them on other platforms.
 */
const PLATFORM =
  /-(win32|darwin|linux|android|freebsd|openbsd|sunos|aix)-(x64|arm64|ia32|arm|ppc64|s390x|riscv64)(?:-(musl|gnu|msvc|gnueabihf))?$/;

/** The platform packages the lock's entries ask for as optional dependencies but does not list. */
export function missingPlatformEntries(lock) {
  const packages = lock.packages ?? {};
  const missing = {};
  for (const [path, entry] of Object.entries(packages)) {
    for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
      const key = `node_modules/${name}`;
      if (packages[key] || packages[`${path}/${key}`] || missing[key]) continue;
      const m = PLATFORM.exec(name);
      if (!m || !/^\d+\.\d+\.\d+/.test(range)) continue;
      const [, os, cpu, libc] = m;
      missing[key] = {
        version: range,
        cpu: [cpu],
        ...(entry.dev ? { dev: true } : {}),
        ...(libc === "musl" ? { libc: ["musl"] } : libc === "gnu" ? { libc: ["glibc"] } : {}),
        ...(entry.license ? { license: entry.license } : {}),
        optional: true,
        os: [os],
      };
    }
  }
  return missing;
}

/** The lock with the missing entries added, in npm's order (the root first, then by path). */
export function completeLock(lock) {
  const packages = { ...(lock.packages ?? {}), ...missingPlatformEntries(lock) };
  return {
    ...lock,
    packages: Object.fromEntries(
      Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
    ),
  };
}
