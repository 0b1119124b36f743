import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../../..");

async function sim(...args: string[]) {
  return run("npx", ["tsx", "--conditions=@openlem/source", "market-hub/simulator/src/cli.ts", ...args], {
    cwd: root,
    maxBuffer: 10_000_000,
  });
}

describe("openlem-sim", () => {
  it("compares the variants as JSON and writes the HTML report (the Groene Mient example, first week of June)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openlem-sim-"));
    const yaml = (await readFile(join(root, "examples/groene-mient/scenario.yaml"), "utf8")).replace(
      'from: "2025-01-01", days: 365',
      'from: "2025-06-01", days: 7',
    );
    const file = join(dir, "gm.yaml");
    await writeFile(file, yaml);
    const report = join(dir, "report.html");
    const { stdout } = await sim(file, "--compare", "--json", "--report", report, "--workers", "1");
    const out = JSON.parse(stdout) as {
      scenarios: {
        name: string;
        selfSufficiency: number;
        selfSufficiencyNetMetered: number;
        selfConsumption: number;
        localTradeShare: number;
        peakImportW: number;
        households: { id: string; billEur: number }[];
        communityCostEur: number;
      }[];
      planningMargin: {
        planned: string;
        against: string;
        selfSufficiencyPointsNetMetered: number;
        communityCostSavingEur: number;
      };
    };
    expect(out.scenarios.map((s) => s.name)).toEqual([
      "conventional (utility only)",
      "local market",
      "local market + communal battery",
      "local market + communal battery, D3A's strategies in a call auction (no planners)",
      "local market + communal battery, prices ramping from slot to slot (no planners)",
    ]);
    // the margin is the planned variant against D3A's call auction, both on the same community
    const [, , planned, d3a] = out.scenarios;
    expect(out.planningMargin).toMatchObject({ planned: "local+battery", against: "d3a" });
    expect(out.planningMargin.selfSufficiencyPointsNetMetered).toBeCloseTo(
      ((planned?.selfSufficiencyNetMetered ?? 0) - (d3a?.selfSufficiencyNetMetered ?? 0)) * 100,
      9,
    );
    expect(out.planningMargin.communityCostSavingEur).toBeCloseTo(
      (d3a?.communityCostEur ?? 0) - (planned?.communityCostEur ?? 0),
      2,
    );
    for (const s of out.scenarios) {
      expect(s.households).toHaveLength(33);
      expect(typeof s.peakImportW).toBe("number");
      expect(s.selfSufficiency).toBeGreaterThan(0);
      // a house's own PV use counts behind the meter only: net metered is never higher
      expect(s.selfSufficiencyNetMetered).toBeGreaterThanOrEqual(0);
      expect(s.selfSufficiencyNetMetered).toBeLessThanOrEqual(s.selfSufficiency);
    }
    const html = await readFile(report, "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("Local price over the sunniest day");
    expect(html).toContain("Bill per household");
    // the study's figures beside the simulation's, on its definition
    expect(html).toContain("Groene Mient study (net metered)");
    expect(html).toContain("Planners against d3a (local+battery against d3a");
    expect(html).toContain("local price, energy to spare (ct/kWh)");
    const table = await sim(file, "--compare");
    expect(table.stdout).toMatch(/self-sufficiency \(net metered\)/);
    expect(table.stdout).toMatch(/Groene Mient study \(net metered\)\s+21\.0 %\s+41\.0 %/);
    expect(table.stdout).toMatch(/planners against d3a \(local\+battery vs d3a\): self-sufficiency [+-]\d+\.\d points/);
  });

  it("prints the table, and refuses a bad scenario naming the field", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openlem-sim-"));
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      "name: bad\ntimeZone: Mars/Olympus\nlocation: {latitude: 52, longitude: 4}\nperiod: {from: 2025-06-01, days: 1}\nmarket: {retailPrice: 0.3, feedInTariff: 0.08, priceFloor: 0, priceCap: 1}\nhouseholds: [{id: h, annualKwh: 3000}]\n",
    );
    const err = await sim(file).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/timeZone/);
    const ok = join(dir, "ok.yaml");
    await writeFile(ok, (await readFile(file, "utf8")).replace("Mars/Olympus", "Europe/Berlin"));
    const many = await sim(ok, "--workers", "two").catch((e: { code: number; stderr: string }) => e);
    expect(many).toMatchObject({ code: 2, stderr: expect.stringMatching(/--workers must be a whole number/) });
    const { stdout } = await sim(ok);
    expect(stdout).toMatch(/self-sufficiency/);
    expect(stdout).toMatch(/h\s+[\d.]+/);
  });
});
