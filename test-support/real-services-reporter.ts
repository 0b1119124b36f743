import type { Reporter, TestModule } from "vitest/node";
import { howToRun, REAL_SERVICES, type RealService, realTag } from "./real-services.js";

/**
 * After the run: names every real-service test that was skipped and how to run it, then
 * closes with a plain "N passed, N failed, N skipped" line that any CI log reader knows.
 */
export default class RealServicesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = new Map<RealService, string[]>();
    const count = { passed: 0, failed: 0, skipped: 0 };
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") count.passed++;
        else if (state === "failed") count.failed++;
        else count.skipped++;
        if (state !== "skipped") continue;
        for (const service of Object.keys(REAL_SERVICES) as RealService[]) {
          if (t.fullName.includes(realTag(service)))
            skipped.set(service, [...(skipped.get(service) ?? []), t.fullName]);
        }
      }
    }
    const lines: string[] = [];
    if (skipped.size > 0) {
      lines.push("", "Real-service tests skipped (the embedded back ends ran instead where there are any):");
      for (const [service, names] of skipped) {
        lines.push(`  ${service}: ${names.length} tests; ${howToRun(service)} to run them`);
        for (const n of names) lines.push(`    - ${n}`);
      }
    }
    lines.push("", `${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
    console.log(lines.join("\n"));
  }
}
