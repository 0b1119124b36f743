import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import cardsBuild from "../lovelace-cards/vite.config.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");

/**
 * HACS's own rules for hacs.json, as its integration validates it (HACS_MANIFEST_JSON_SCHEMA in
 * custom_components/hacs/utils/validate.py): these keys and types only, `name` required,
 * nothing else allowed.
 */
const HacsManifest = z
  .object({
    name: z.string(),
    content_in_root: z.boolean().optional(),
    country: z.union([z.string(), z.array(z.string())]).optional(),
    filename: z.string().optional(),
    hacs: z.string().optional(),
    hide_default_branch: z.boolean().optional(),
    homeassistant: z.string().optional(),
    persistent_directory: z.string().optional(),
    render_readme: z.boolean().optional(),
    zip_release: z.boolean().optional(),
  })
  .strict();

describe("the cards as a HACS Dashboard repository", () => {
  const manifest = HacsManifest.parse(JSON.parse(read("hacs.json")));

  it("has hacs.json at the repository's root, in HACS's own shape", () => {
    expect(manifest.name).toBe("OpenLEM cards");
  });

  it("names the file the cards' build writes", () => {
    const lib = cardsBuild.build?.lib;
    if (!lib) throw new Error("the cards' build has no library entry");
    const fileName = typeof lib.fileName === "function" ? lib.fileName("es", "index") : lib.fileName;
    expect(manifest.filename).toBe(fileName);
  });

  it("releases from the changesets flow, each with exactly that file attached, where HACS looks for it", () => {
    type Step = { uses?: string; run?: string; id?: string; if?: string; with?: Record<string, unknown> };
    const workflow = parse(read(".github/workflows/release.yml")) as {
      on: { push: { branches: string[] } };
      jobs: Record<string, { steps: Step[] }>;
    };
    expect(workflow.on.push.branches).toEqual(["main"]);
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    const changesets = steps.find((s) => s.uses?.startsWith("changesets/action@"));
    expect(changesets?.with).toMatchObject({ version: "npm run release:version" });
    // the cards are built and attached to the repository's release once the packages are published
    const published = `steps.${changesets?.id}.outputs.published == 'true'`;
    const build = steps.find((s) => s.run === "npm run build -w @openlem/lovelace-cards");
    expect(build?.if).toBe(published);
    const attach = steps.find((s) => s.run?.includes("gh release create"));
    expect(attach?.if).toBe(published);
    expect(attach?.run).toContain(`lovelace-cards/dist/${manifest.filename}`);
    expect(attach?.run).toMatch(/gh release create "v\$version"/);
    const hacs = parse(read(".github/workflows/hacs.yml")) as { jobs: { validate: { steps: { with?: unknown }[] } } };
    expect(hacs.jobs.validate.steps[0]?.with).toEqual({ category: "plugin" });
  });

  it("claims the oldest Home Assistant the tests run against, no older", () => {
    const ci = read(".ci/run");
    const tested = /OPENLEM_TEST_HOME_ASSISTANT:-([0-9.,]+)/.exec(ci)?.[1]?.split(",") ?? [];
    const oldest = tested
      .map((v) => v.split(".").map(Number))
      .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0))[0];
    expect(oldest).toBeDefined();
    expect(manifest.homeassistant).toBe(`${oldest?.[0]}.${oldest?.[1]}.0`);
  });
});
