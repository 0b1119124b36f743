import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Every TypeScript source file git tracks (no tests, no declarations). */
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => f.includes("/src/") && !f.endsWith(".d.ts") && existsSync(join(root, f)));

/** The relative imports of a file, type-only ones included: a cycle of types is a cycle to a reader. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g)]
    .map((m) => normalize(join(dirname(file), (m[1] ?? "").replace(/\.js$/, ".ts"))))
    .filter((f) => existsSync(join(root, f)));
}

it("no module imports itself back through others, not even for a type", () => {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === "done") return;
    if (state.get(f) === "open") {
      cycles.push([...path.slice(path.indexOf(f)), f].join(" → "));
      return;
    }
    state.set(f, "open");
    for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
    state.set(f, "done");
  };
  for (const f of files) visit(f, []);
  expect(cycles).toEqual([]);
  // the graph has edges at all (a pattern that matched nothing would pass anything)
  expect([...graph.values()].flat().length).toBeGreaterThan(200);
});
