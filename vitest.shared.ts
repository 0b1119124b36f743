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
