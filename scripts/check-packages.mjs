#!/usr/bin/env node
/**
 * Packs every published workspace as `npm publish` would (prepack included), installs the
 * tarballs into an empty project and uses them there as a user would: each export resolves and
 * loads in Node, its types resolve for TypeScript, each command answers --help, the Node-RED
 * package lists its nodes and the card bundle is there. A package that would be broken on npm
 * fails here, before it is released. Runs in `npm test`, before the unit tests.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "openlem-packages-"));
const tarballs = join(work, "tarballs");
const project = join(work, "project");
mkdirSync(tarballs);
mkdirSync(project);
const problems = [];
const step = (what) => process.stdout.write(`[packages] ${what}\n`);
const run = (cmd, args, cwd, extra = {}) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...extra });

try {
  step("npm pack --workspaces (each package's prepack builds it)");
  // the prepack scripts print to the same stdout; the JSON is the array that starts a line
  let packOut;
  try {
    packOut = run(
      "npm",
      ["pack", "--workspaces", "--json", "--pack-destination", tarballs, "--loglevel", "error"],
      root,
    );
  } catch (err) {
    // a prepack (build) failed: its own output says why
    console.error(
      `[packages] npm pack failed:\n${String(err.stdout ?? "").slice(-4000)}${String(err.stderr ?? "").slice(-2000)}`,
    );
    process.exit(1);
  }
  const packed = JSON.parse(packOut.slice(packOut.search(/^\[/m)));
  const byName = new Map(packed.map((p) => [p.name, p]));
  const manifests = packed.map((p) => {
    const dir = workspaceDir(p.name);
    return { dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")), files: p.files.map((f) => f.path) };
  });

  for (const { pkg, files } of manifests) {
    for (const field of ["license", "repository", "engines", "description"]) {
      if (!pkg[field]) problems.push(`${pkg.name}: package.json has no "${field}"`);
    }
    for (const f of ["README.md", "CHANGELOG.md", "LICENSE"]) {
      if (!files.includes(f)) problems.push(`${pkg.name}: the tarball has no ${f}`);
    }
    for (const target of exportTargets(pkg)) {
      if (!files.includes(target)) problems.push(`${pkg.name}: exports names ${target}, which is not in the tarball`);
    }
    for (const bin of Object.values(typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {}))) {
      if (!files.includes(bin.replace(/^\.\//, ""))) problems.push(`${pkg.name}: bin ${bin} is not in the tarball`);
    }
    for (const node of Object.values(pkg["node-red"]?.nodes ?? {})) {
      for (const f of [node, node.replace(/\.js$/, ".html")]) {
        if (!files.includes(f)) problems.push(`${pkg.name}: Node-RED node file ${f} is not in the tarball`);
      }
    }
    for (const f of files) {
      if (/(^|\/)(test|bench)\//.test(f) || /\.test\.ts$/.test(f)) problems.push(`${pkg.name}: ships ${f}`);
    }
  }

  step(`installing ${packed.length} tarballs into an empty project`);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "openlem-user", private: true, type: "module" }, null, 2),
  );
  run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel",
      "error",
      ...packed.map((p) => join(tarballs, p.filename)),
    ],
    project,
  );

  step("importing every export and running every command");
  const typeImports = [];
  for (const { pkg } of manifests) {
    for (const sub of publicEntries(pkg)) {
      const spec = sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      try {
        run(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(spec)})`], project);
      } catch (err) {
        problems.push(`${spec}: import fails in a user's project: ${firstLine(err)}`);
      }
      if (hasTypes(pkg, sub)) typeImports.push(spec);
    }
    for (const name of Object.keys(typeof pkg.bin === "string" ? { [pkg.name]: 1 } : (pkg.bin ?? {}))) {
      try {
        run(join(project, "node_modules", ".bin", name), ["--help"], project);
      } catch (err) {
        problems.push(`${name} --help fails in a user's project: ${firstLine(err)}`);
      }
    }
  }
  const cards = join(project, "node_modules", "@openlem", "lovelace-cards", "dist", "openlem-cards.js");
  if (!existsSync(cards)) problems.push("@openlem/lovelace-cards: dist/openlem-cards.js is missing");

  step(`type-checking a user's imports of ${typeImports.length} typed entries`);
  writeFileSync(
    join(project, "use.ts"),
    `${typeImports.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`).join("\n")}\nexport const all = [${typeImports.map((_, i) => `m${i}`).join(", ")}];\n`,
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [join(root, "node_modules", "@types")],
      },
      files: ["use.ts"],
    }),
  );
  try {
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", project], project);
  } catch (err) {
    problems.push(`a user's TypeScript does not accept the packages' types:\n${(err.stdout ?? "").slice(0, 4000)}`);
  }
  if (!byName.size) problems.push("npm pack packed nothing");
} finally {
  if (!process.env.OPENLEM_KEEP_PACKAGES) rmSync(work, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`[packages] ${problems.length} problem(s) a user installing from npm would hit:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
step("every package installs and loads from its tarball");

/** A workspace's folder: npm links each one into the root's node_modules. */
function workspaceDir(name) {
  return realpathSync(join(root, "node_modules", ...name.split("/")));
}

/** Files the exports map sends a user to, under the conditions a user's Node or bundler sets. */
function exportTargets(pkg) {
  const out = [];
  const walk = (v) => {
    if (typeof v === "string") out.push(v.replace(/^\.\//, ""));
    else if (v && typeof v === "object") {
      for (const [k, w] of Object.entries(v)) if (k !== "@openlem/source") walk(w);
    }
  };
  walk(pkg.exports ?? {});
  if (pkg.types) out.push(pkg.types.replace(/^\.\//, ""));
  return out.filter((f) => !f.endsWith("package.json"));
}

/** Entry points a user can import: those with a target outside the in-repo source condition. */
function publicEntries(pkg) {
  if (!pkg.exports) return [];
  const entries = typeof pkg.exports === "string" ? { ".": pkg.exports } : pkg.exports;
  return Object.entries(entries)
    .filter(([k, v]) => !k.endsWith("package.json") && (typeof v === "string" || exportTargets({ exports: v }).length))
    .map(([k]) => k)
    .filter((k) => !(pkg["node-red"] || (k === "." && String(entries[k]).endsWith("openlem-cards.js"))));
}

function hasTypes(pkg, sub) {
  const e = typeof pkg.exports === "string" ? pkg.exports : pkg.exports[sub];
  return typeof e === "object" && "types" in e;
}

function firstLine(err) {
  const text = `${err.stderr ?? ""}${err.stdout ?? ""}` || String(err.message);
  return text.split("\n").find((l) => /Error|error/.test(l)) ?? text.split("\n")[0];
}
