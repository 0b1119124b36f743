#!/usr/bin/env node
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ProgressBar } from "./progress.js";
import { toHtml } from "./report/html.js";
import { toJson, toTable } from "./report/summary.js";
import { simulate, VARIANTS, type Variant, type VariantResult } from "./run.js";
import { parseScenarioYaml, ScenarioError } from "./scenario.js";

const USAGE = `openlem-sim SCENARIO.yaml [options]

Simulates a community described in a scenario file, in-process with the market engine.

  --compare              run the conventional (utility only), local market and local market +
                         communal battery variants side by side
  --variant NAME         run one variant: ${Object.keys(VARIANTS).join(", ")} (default: local+battery
                         when the scenario has a communal battery, else local)
  --days N               simulate only the first N days of the scenario's period
  --json                 print one JSON object {"scenarios":[...]} instead of the table
  --report FILE.html     also write an HTML report with charts
  -h, --help             this text

Example: npm run sim -- examples/groene-mient/scenario.yaml --compare --report groene-mient.html`;

function fail(message: string): never {
  process.stderr.write(`openlem-sim: ${message}\n`);
  process.exit(2);
}

export function main(argv = process.argv.slice(2)): void {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = positionals[0];
  if (!file) fail(`which scenario? Give a scenario file.\n\n${USAGE}`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    fail(`cannot read ${file}: does the file exist?`);
  }
  let loaded: ReturnType<typeof parseScenarioYaml>;
  try {
    loaded = parseScenarioYaml(text);
  } catch (err) {
    if (err instanceof ScenarioError) fail(`${file}: ${err.message}`);
    throw err;
  }
  if (values.days !== undefined) {
    const days = Number(values.days);
    if (!Number.isInteger(days) || days < 1) fail("--days must be a whole number of days, 1 or more");
    loaded.scenario.period.days = Math.min(days, loaded.scenario.period.days);
  }
  let variants: Variant[];
  if (values.compare) {
    variants = loaded.scenario.communalBattery ? ["conventional", "local", "local+battery"] : ["conventional", "local"];
  } else if (values.variant) {
    if (!(values.variant in VARIANTS)) fail(`--variant must be one of ${Object.keys(VARIANTS).join(", ")}`);
    variants = [values.variant as Variant];
  } else {
    variants = [loaded.scenario.communalBattery ? "local+battery" : "local"];
  }
  if (variants.includes("local+battery") && !loaded.scenario.communalBattery)
    fail("the local+battery variant needs a communalBattery in the scenario");

  const bar = new ProgressBar();
  const results: VariantResult[] = [];
  for (const v of variants) {
    results.push(simulate(loaded, v, { onProgress: (done, total) => bar.update(VARIANTS[v], done, total) }));
    bar.done();
  }
  if (values.json) process.stdout.write(`${JSON.stringify(toJson(results))}\n`);
  else process.stdout.write(`${toTable(loaded, results)}\n`);
  if (values.report) {
    writeFileSync(values.report, toHtml(loaded, results));
    process.stderr.write(`report written to ${values.report}\n`);
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      compare: { type: "boolean" },
      variant: { type: "string" },
      days: { type: "string" },
      json: { type: "boolean" },
      report: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

main();
