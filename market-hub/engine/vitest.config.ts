import { defineProject } from "vitest/config";
import { sourceConditions, ssrSourceConditions } from "../../vitest.shared.js";

export default defineProject({
  resolve: sourceConditions,
  ssr: ssrSourceConditions,
  test: { name: "engine", include: ["test/**/*.test.ts"] },
});
