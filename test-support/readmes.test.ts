import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));

// The package READMEs' TypeScript examples are run as they are, so they cannot rot.
it.each(["market-hub/protocol", "market-hub/engine", "market-hub/simulator", "integrations/agents"])(
  "the example in %s/README.md runs",
  async (pkg) => {
    const readme = readFileSync(join(root, pkg, "README.md"), "utf8");
    const code = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]).join("\n");
    expect(code.length).toBeGreaterThan(0);
    // Inside the package folder, so that workspace packages resolve as they do for users.
    const dir = mkdtempSync(join(root, pkg, ".readme-"));
    try {
      writeFileSync(join(dir, "example.ts"), code);
      const { stderr } = await run("npx", ["tsx", "--conditions=@openlem/source", join(dir, "example.ts")], {
        cwd: join(root, pkg),
        timeout: 60_000,
      });
      expect(stderr.replace(/npm warn.*\n?/g, "")).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  60_000,
);
