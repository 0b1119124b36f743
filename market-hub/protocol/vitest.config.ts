import { defineProject } from "vitest/config";
import { eventWaits, sourceConditions, ssrSourceConditions } from "../../vitest.shared.js";

export default defineProject({
  resolve: sourceConditions,
  ssr: ssrSourceConditions,
  test: { name: "protocol", expect: eventWaits, include: ["test/**/*.test.ts"] },
});
