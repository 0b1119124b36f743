#!/usr/bin/env node
/**
 * For contributors, after changing dependencies: `npm run lock` updates package-lock.json and
 * adds the platform entries the registry here did not offer (see lockfile-platforms.mjs). It is
 * not an install hook: installing OpenLEM, or running `npm ci`, never rewrites a lock file.
 * test-support/lockfile.test.ts fails when the committed lock lacks entries.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { completeLock, missingPlatformEntries } from "./lockfile-platforms.mjs";

const file = new URL("../package-lock.json", import.meta.url);
if (!existsSync(file)) process.exit(0);
const lock = JSON.parse(readFileSync(file, "utf8"));
const added = Object.keys(missingPlatformEntries(lock)).length;
if (added > 0) {
  writeFileSync(file, `${JSON.stringify(completeLock(lock), null, 2)}\n`);
  console.log(`complete-lockfile: added ${added} optional platform packages the registry did not offer`);
}
