import { defineProject } from "vitest/config";
import { eventWaits, sourceConditions, ssrSourceConditions } from "../vitest.shared.js";

export default defineProject({
  resolve: sourceConditions,
  ssr: ssrSourceConditions,
  test: { name: "repository", expect: eventWaits, include: ["*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 },
});
