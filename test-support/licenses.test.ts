import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = [
  "market-hub/protocol",
  "market-hub/engine",
  "market-hub/server",
  "market-hub/simulator",
  "market-hub/web",
  "integrations/client",
  "integrations/agents",
  "integrations/home-assistant",
  "integrations/openems",
  "node-red-nodes",
  "lovelace-cards",
];

// npm ships a package's own LICENSE, not the repository's: each package carries the same text
it.each(PACKAGES)("%s ships the repository's LICENSE and says Apache-2.0", (pkg) => {
  expect(readFileSync(join(root, pkg, "LICENSE"), "utf8")).toBe(readFileSync(join(root, "LICENSE"), "utf8"));
  expect(JSON.parse(readFileSync(join(root, pkg, "package.json"), "utf8")).license).toBe("Apache-2.0");
});

it("checks every workspace package (a new one is added to the list above)", () => {
  const globs = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces as string[];
  const found = globs.flatMap((g) =>
    g.endsWith("/*")
      ? readdirSync(join(root, g.slice(0, -2)))
          .map((d) => `${g.slice(0, -2)}/${d}`)
          .filter((d) => existsSync(join(root, d, "package.json")))
      : [g],
  );
  expect(found.sort()).toEqual([...PACKAGES].sort());
});
