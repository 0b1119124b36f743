import { describe } from "vitest";

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
} as const;
export type RealService = keyof typeof REAL_SERVICES;

/** The tag a skipped real-service suite carries in its name, so the reporter can find it. */
export const realTag = (service: RealService) => `[real ${service}]`;

export function realServiceUrl(service: RealService): string | undefined {
  const value = process.env[REAL_SERVICES[service].env];
  return value && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * A describe block that runs against a real service when its address is set and is skipped,
 * visibly, when not. In CI the address is required: a missing one fails the run instead of
 * quietly skipping.
 */
export function describeWithRealService(service: RealService, name: string, body: (url: string) => void): void {
  const url = realServiceUrl(service);
  const title = `${realTag(service)} ${name}`;
  if (url) {
    describe(title, () => body(url));
    return;
  }
  if (process.env.CI) {
    throw new Error(`${REAL_SERVICES[service].env} is not set; CI runs every real-service test (see .ci/run)`);
  }
  describe.skip(title, () => body(""));
}
