import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { chromium } from "playwright-core";

/** Where a Chromium-like browser was found, and how (for the test log). */
export interface FoundBrowser {
  path: string;
  how: string;
}

/** What the finder looks at; the defaults are this machine's. */
export interface BrowserSearch {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  home: string;
  exists: (path: string) => boolean;
  /** The entries of a directory (none when it is missing). */
  list: (dir: string) => string[];
  /** The browser playwright-core itself would launch, if it says. */
  playwrightOwn: () => string | undefined;
}

const PATH_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge"];

const MAC_APPS = [
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
];

/** Inside a playwright `chromium-<revision>` folder, per platform. */
const PLAYWRIGHT_BINARIES = [
  "chrome-linux/chrome",
  "chrome-linux64/chrome",
  "chrome-mac/Chromium.app/Contents/MacOS/Chromium",
  "chrome-mac-arm64/Chromium.app/Contents/MacOS/Chromium",
  "chrome-mac/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
  "chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing",
  "chrome-win/chrome.exe",
  "chrome-win64/chrome.exe",
];

const thisMachine = (): BrowserSearch => ({
  env: process.env,
  platform: process.platform,
  home: homedir(),
  exists: existsSync,
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  playwrightOwn: () => {
    try {
      return chromium.executablePath();
    } catch {
      return undefined;
    }
  },
});

/** Where `npx playwright install` puts browsers for this user. */
function playwrightCaches(s: BrowserSearch): string[] {
  const own = s.env.PLAYWRIGHT_BROWSERS_PATH;
  if (own && own !== "0") return [own];
  if (s.platform === "darwin") return [join(s.home, "Library", "Caches", "ms-playwright")];
  if (s.platform === "win32") return [join(s.env.LOCALAPPDATA ?? join(s.home, "AppData", "Local"), "ms-playwright")];
  return [join(s.env.XDG_CACHE_HOME ?? join(s.home, ".cache"), "ms-playwright")];
}

/**
 * The browser the browser tests drive, found in this order: `OPENLEM_TEST_CHROMIUM`; the
 * browser playwright installed for this user (`npx playwright install chromium`); `chromium`,
 * `chromium-browser`, `google-chrome`, `google-chrome-stable` or `microsoft-edge` on the PATH;
 * the usual macOS applications. Undefined when there is none.
 */
export function findBrowser(search: Partial<BrowserSearch> = {}): FoundBrowser | undefined {
  const s = { ...thisMachine(), ...search };
  const set = s.env.OPENLEM_TEST_CHROMIUM?.trim();
  if (set) return { path: set, how: "OPENLEM_TEST_CHROMIUM" };
  const own = s.playwrightOwn();
  if (own && s.exists(own)) return { path: own, how: "playwright's own install" };
  for (const cache of playwrightCaches(s)) {
    const revisions = s
      .list(cache)
      .filter((d) => /^chromium-\d+$/.test(d))
      .sort((a, b) => Number(b.slice(9)) - Number(a.slice(9)));
    for (const dir of revisions)
      for (const bin of PLAYWRIGHT_BINARIES) {
        const path = join(cache, dir, bin);
        if (s.exists(path)) return { path, how: "a browser playwright installed" };
      }
  }
  const exe = s.platform === "win32" ? ".exe" : "";
  for (const name of PATH_NAMES)
    for (const dir of (s.env.PATH ?? "").split(delimiter).filter(Boolean)) {
      const path = join(dir, name + exe);
      if (s.exists(path)) return { path, how: `${name} on the PATH` };
    }
  if (s.platform === "darwin") for (const path of MAC_APPS) if (s.exists(path)) return { path, how: "an application" };
  return undefined;
}

/** How the browser tests start it: headless, without the sandbox root cannot use, quiet on a closed network. */
export const BROWSER_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
