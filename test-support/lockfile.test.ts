import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, without types
import { completeLock, missingPlatformEntries } from "../scripts/lockfile-platforms.mjs";

const lock = JSON.parse(readFileSync(new URL("../package-lock.json", import.meta.url), "utf8"));

it("the committed lock lists every platform build (after changing dependencies: npm run lock)", () => {
  expect(Object.keys(missingPlatformEntries(lock))).toEqual([]);
});

it("installing leaves users' lock files alone: no install hook in the root package", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  for (const hook of ["preinstall", "install", "postinstall", "prepare"]) expect(pkg.scripts[hook]).toBeUndefined();
});

it("records a decision on every dependency's install script (allowScripts), so npm 10, 11 and 12 install alike and quietly", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    allowScripts?: Record<string, boolean>;
  };
  const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([path, p]) => path !== "" && p.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
  expect(withScripts.length).toBeGreaterThan(0);
  for (const name of withScripts) expect(typeof pkg.allowScripts?.[name], name).toBe("boolean");
});

it("finds and adds a platform build the registry left out", () => {
  const biome = lock.packages["node_modules/@biomejs/biome"];
  const key = "node_modules/@biomejs/cli-darwin-arm64";
  const { [key]: _dropped, ...rest } = lock.packages;
  const broken = { ...lock, packages: rest };
  expect(Object.keys(missingPlatformEntries(broken))).toEqual([key]);
  const fixed = completeLock(broken).packages[key];
  expect(fixed).toMatchObject({ optional: true, os: ["darwin"], cpu: ["arm64"], version: biome.version });
});
