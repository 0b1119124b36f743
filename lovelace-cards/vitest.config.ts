import { defineProject } from "vitest/config";
import { sourceConditions, ssrSourceConditions } from "../vitest.shared.js";

export default defineProject({
  resolve: sourceConditions,
  ssr: ssrSourceConditions,
  test: { name: "lovelace-cards", include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 },
});
