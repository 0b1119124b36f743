import { defineProject } from "vitest/config";
import { eventWaits, sourceConditions, ssrSourceConditions } from "../../vitest.shared.js";

export default defineProject({
  resolve: sourceConditions,
  ssr: ssrSourceConditions,
  test: {
    name: "simulator",
    expect: eventWaits,
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
