import { defineProject } from "vitest/config";
import { eventWaits } from "../vitest.shared.js";

export default defineProject({
  test: { name: "repository", expect: eventWaits, include: ["*.test.ts"], testTimeout: 60_000 },
});
