import { defineProject } from "vitest/config";
import { eventWaits, sourceConditions, ssrSourceConditions } from "../../vitest.shared.js";

export default defineProject({
  resolve: sourceConditions,
  ssr: ssrSourceConditions,
  test: {
    name: "openems",
    expect: eventWaits,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
