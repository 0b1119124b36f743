import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["market-hub/*/vitest.config.ts"],
  },
});
