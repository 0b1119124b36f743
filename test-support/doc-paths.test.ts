import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The repository's own docs: every Markdown file git tracks, but the generated changelogs. */
const docs = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.md"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => f && !f.endsWith("CHANGELOG.md") && !f.startsWith(".changeset/") && existsSync(join(root, f)));

// a file by its extension, or a source or test folder; no placeholders (<resource>, …, *)
const FILE = /\.(ts|js|mjs|json|ya?ml|md|sql|toml|sh|service|py|html|css|tgz)$/;
const PATH = /^[\w.@-]+(?:\/[\w.@-]+)+\/?$/;
/**
 * Docs name paths from the repository, their own folder, their package, a top-level folder, or
 * a package and its src (the architecture's `services/clearing.ts` in the server's).
 */
const PACKAGES = execFileSync("git", ["ls-files", "*/package.json", "*/*/package.json"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter(Boolean)
  .map((f) => dirname(f));
const BASES = [
  "",
  "market-hub",
  "integrations",
  "node-red-nodes",
  "lovelace-cards",
  "examples",
  ...PACKAGES.flatMap((p) => [p, `${p}/src`]),
];

function named(doc: string): string[] {
  const text = readFileSync(join(root, doc), "utf8");
  return (
    [...text.matchAll(/`([^`\s]+)`/g)]
      .map((m) => m[1] ?? "")
      .map((p) => p.replace(/^\.\//, "").replace(/:\d+$/, ""))
      // build output (dist/) exists only after a build
      .filter((p) => !/(^|\/)dist\//.test(p))
      .filter((p) => PATH.test(p) && (FILE.test(p) || /\/(src|test)\/$/.test(p) || /\/(src|test)\/[\w-]+\/$/.test(p)))
  );
}

function exists(doc: string, path: string): boolean {
  const here = dirname(doc);
  const pkg = doc.split("/").slice(0, 2).join("/");
  return [here, pkg, ...BASES].some((base) => existsSync(join(root, base, path)));
}

it("every file a doc names exists", () => {
  const missing = docs.flatMap((doc) => named(doc).flatMap((p) => (exists(doc, p) ? [] : [`${doc}: ${p}`])));
  expect(missing).toEqual([]);
  // the check finds paths at all (a pattern that matched nothing would pass any doc)
  expect(docs.reduce((n, doc) => n + named(doc).length, 0)).toBeGreaterThan(50);
});
