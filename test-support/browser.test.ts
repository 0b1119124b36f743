import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BrowserSearch, findBrowser } from "./browser.js";
import { realServiceDecision } from "./real-services.js";

/** A machine that has exactly `files`, and directories listed from them. */
function machine(files: string[], over: Partial<BrowserSearch> = {}): Partial<BrowserSearch> {
  return {
    env: { PATH: "/usr/local/bin:/usr/bin" },
    platform: "linux",
    home: "/home/u",
    exists: (p) => files.includes(p),
    list: (dir) => [
      ...new Set(files.filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split("/")[0] ?? "")),
    ],
    playwrightOwn: () => undefined,
    ...over,
  };
}

describe("finding a browser for the browser tests", () => {
  const cache = "/home/u/.cache/ms-playwright";
  const everything = [
    join(cache, "chromium-1180", "chrome-linux", "chrome"),
    join(cache, "chromium-1200", "chrome-linux", "chrome"),
    "/usr/bin/chromium",
    "/usr/local/bin/google-chrome",
  ];

  it("takes OPENLEM_TEST_CHROMIUM first, whatever else the machine has", () => {
    const env = { PATH: "/usr/bin", OPENLEM_TEST_CHROMIUM: "/opt/mine/chrome" };
    expect(findBrowser(machine(everything, { env }))).toEqual({
      path: "/opt/mine/chrome",
      how: "OPENLEM_TEST_CHROMIUM",
    });
  });

  it("then the browser playwright-core would launch, then the newest one playwright installed", () => {
    const own = "/home/u/.cache/ms-playwright/chromium-1300/chrome-linux/chrome";
    expect(findBrowser(machine([...everything, own], { playwrightOwn: () => own }))?.path).toBe(own);
    expect(findBrowser(machine(everything, { playwrightOwn: () => own }))?.path).toBe(
      join(cache, "chromium-1200", "chrome-linux", "chrome"),
    );
    const custom = { PATH: "/usr/bin", PLAYWRIGHT_BROWSERS_PATH: "/srv/browsers" };
    expect(findBrowser(machine(["/srv/browsers/chromium-1/chrome-linux/chrome"], { env: custom }))?.how).toBe(
      "a browser playwright installed",
    );
  });

  it("then chromium, chromium-browser, google-chrome, google-chrome-stable, microsoft-edge on the PATH, in that order", () => {
    expect(findBrowser(machine(["/usr/bin/chromium", "/usr/local/bin/google-chrome"]))).toEqual({
      path: "/usr/bin/chromium",
      how: "chromium on the PATH",
    });
    expect(findBrowser(machine(["/usr/local/bin/google-chrome", "/usr/bin/microsoft-edge"]))?.path).toBe(
      "/usr/local/bin/google-chrome",
    );
    expect(findBrowser(machine(["/usr/bin/microsoft-edge"]))?.path).toBe("/usr/bin/microsoft-edge");
  });

  it("then, on macOS, the usual applications and playwright's cache there", () => {
    const mac = { platform: "darwin" as const, env: { PATH: "/usr/bin" }, home: "/Users/u" };
    expect(findBrowser(machine(["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"], mac))?.path).toBe(
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    );
    const installed =
      "/Users/u/Library/Caches/ms-playwright/chromium-1200/chrome-mac-arm64/Chromium.app/Contents/MacOS/Chromium";
    expect(findBrowser(machine([installed, "/Applications/Chromium.app/Contents/MacOS/Chromium"], mac))?.path).toBe(
      installed,
    );
    // the applications are a macOS place only
    expect(findBrowser(machine(["/Applications/Chromium.app/Contents/MacOS/Chromium"]))).toBeUndefined();
  });

  it("finds none on a machine with Node alone: the browser suites skip, except under CI, where the run fails saying what to do", () => {
    expect(findBrowser(machine([]))).toBeUndefined();
    expect(realServiceDecision("browser", undefined, undefined)).toBe(false);
    expect(() => realServiceDecision("browser", undefined, "true")).toThrow(
      /no browser found: install one \(`npx playwright install chromium`, or your distribution's chromium package\) or set OPENLEM_TEST_CHROMIUM/,
    );
    expect(realServiceDecision("browser", "/usr/bin/chromium", "true")).toBe(true);
  });
});
