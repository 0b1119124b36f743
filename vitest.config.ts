import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      "market-hub/*/vitest.config.ts",
      "integrations/*/vitest.config.ts",
      "node-red-nodes/vitest.config.ts",
      "lovelace-cards/vitest.config.ts",
      "test-support/vitest.config.ts",
    ],
    reporters: ["default", "./test-support/real-services-reporter.ts"],
  },
});
