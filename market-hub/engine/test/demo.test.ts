import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const engineDir = fileURLToPath(new URL("..", import.meta.url));

it("runs the engine's demo day (npm run demo -w @openlem/engine)", async () => {
  const { stdout } = await run("npx", ["tsx", "--conditions=@openlem/source", "examples/demo-day.ts"], {
    cwd: engineDir,
    timeout: 60_000,
  });
  expect(stdout).toContain("96 slots");
  const selfSufficiency = Number(/self-sufficiency ([\d.]+) %/.exec(stdout)?.[1]);
  expect(selfSufficiency).toBeGreaterThan(0);
  expect(selfSufficiency).toBeLessThanOrEqual(100);
  // the printed statement lines add up to the printed total
  const amounts = [...stdout.matchAll(/^ {2}(?:local|utility|deviation|grid)-\S+\s+[\d.]+ kWh\s+(-?[\d.]+)$/gm)].map(
    (m) => Math.round(Number(m[1]) * 100),
  );
  const total = Math.round(Number(/^ {2}total\s+(-?[\d.]+)$/m.exec(stdout)?.[1]) * 100);
  expect(amounts.length).toBeGreaterThan(0);
  expect(amounts.reduce((s, a) => s + a, 0)).toBe(total);
}, 60_000);
