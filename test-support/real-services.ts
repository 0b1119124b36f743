import { describe } from "vitest";
import { findBrowser } from "./browser.js";

/**
 * Tests against real services (PostgreSQL, an MQTT broker) read the addresses from the
 * environment. `.ci/run` always sets both; on a fresh machine without them the suites are
 * skipped, named by the reporter in real-services-reporter.ts, and the embedded back ends
 * carry the suite.
 */
export const REAL_SERVICES = {
  postgres: { env: "OPENLEM_TEST_DATABASE_URL", example: "postgres://postgres@127.0.0.1:5432/test" },
  mqtt: { env: "OPENLEM_TEST_MQTT_URL", example: "mqtt://127.0.0.1:1883" },
  /** Home Assistant core versions, installed by test-support/home-assistant/setup.sh. */
  homeAssistant: { env: "OPENLEM_TEST_HOME_ASSISTANT", example: "2025.4.4,2026.2.3" },
  /** schemathesis's `st` command, installed by test-support/schemathesis/setup.sh. */
  schemathesis: { env: "OPENLEM_TEST_SCHEMATHESIS", example: "~/.cache/openlem-schemathesis/bin/st" },
  /** node-red-contrib-power-saver's package tarball (not on the npm registry here; see power-saver.ts). */
  powerSaver: {
    env: "OPENLEM_TEST_POWER_SAVER",
    example: "../shared/vendor/node-red-contrib-power-saver-5.2.2.tgz",
  },
  /**
   * A Chromium-like browser for the cards, pages and editor tests: the variable, else one found
   * on this machine (test-support/browser.ts).
   */
  browser: {
    env: "OPENLEM_TEST_CHROMIUM",
    example: "/path/to/chromium",
    how: "install one (`npx playwright install chromium`, or your distribution's chromium package) or set OPENLEM_TEST_CHROMIUM=/path/to/chromium",
  },
} as const satisfies Record<string, { env: string; example: string; how?: string }>;

/** What to do to run a service's skipped tests. */
export function howToRun(service: RealService): string {
  const s: { env: string; example: string; how?: string } = REAL_SERVICES[service];
  return s.how ?? `set ${s.env}=${s.example}`;
}
export type RealService = keyof typeof REAL_SERVICES;

/** The tag a skipped real-service suite carries in its name, so the reporter can find it. */
export const realTag = (service: RealService) => `[real ${service}]`;

export function realServiceUrl(service: RealService): string | undefined {
  if (service === "browser") return findBrowser()?.path;
  const value = process.env[REAL_SERVICES[service].env];
  return value && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * Whether a real-service suite runs: with the service found, yes; without, it is skipped, or,
 * under CI (where every real-service test must run), the run fails naming what is missing.
 */
export function realServiceDecision(service: RealService, found: string | undefined, ci: string | undefined): boolean {
  if (found) return true;
  if (ci) {
    throw new Error(
      service === "browser"
        ? `no browser found: ${howToRun(service)}; CI runs every browser test (see .ci/run)`
        : `${REAL_SERVICES[service].env} is not set; CI runs every real-service test (see .ci/run)`,
    );
  }
  return false;
}

/**
 * A describe block that runs against a real service when its address is set (or, for the
 * browser, one is found) and is skipped, visibly, when not. In CI the service is required: a
 * missing one fails the run instead of quietly skipping.
 */
export function describeWithRealService(service: RealService, name: string, body: (url: string) => void): void {
  const url = realServiceUrl(service);
  const title = `${realTag(service)} ${name}`;
  if (realServiceDecision(service, url, process.env.CI) && url) {
    describe(title, () => body(url));
    return;
  }
  describe.skip(title, () => body(""));
}
