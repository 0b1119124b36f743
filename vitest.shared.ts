import type { ViteUserConfig } from "vitest/config";

/**
 * Tests import workspace packages from their TypeScript sources (the "@openlem/source"
 * export condition), so a test run needs no build first.
 */
export const sourceConditions: ViteUserConfig["resolve"] = {
  conditions: ["@openlem/source", "module", "node", "development|production"],
};
export const ssrSourceConditions: NonNullable<ViteUserConfig["ssr"]> = {
  resolve: { conditions: ["@openlem/source", "node", "development|production"] },
};

/**
 * expect.poll waits for an event (a message, a state) and polls until it comes; its timeout
 * is only an upper bound for a machine under load, not a measure of speed. Vitest's default
 * of one second is too short for that, so every project waits up to 20 s.
 */
export const eventWaits = { poll: { timeout: 20_000, interval: 50 } };
