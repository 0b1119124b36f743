#!/usr/bin/env node
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { HubError } from "@openlem/client";
import { isoOf, Progress, UniformPricing } from "@openlem/protocol";
import { type HubRunResult, simulateOnHub } from "./hub-run.js";
import { toHtml } from "./report/html.js";
import { toJson, toTable } from "./report/summary.js";
import { simulate, VARIANTS, type Variant, type VariantResult } from "./run.js";
import { type LoadedScenario, parseScenarioYaml, ScenarioError } from "./scenario.js";

const USAGE = `openlem-sim SCENARIO.yaml [options]

Simulates a community described in a scenario file, in-process with the market engine.

  --compare              run the conventional (utility only), local market and local market +
                         communal battery variants side by side
  --variant NAME         run one variant: ${Object.keys(VARIANTS).join(", ")} (default: local+battery
                         when the scenario has a communal battery, else local)
  --from YYYY-MM-DD      start on this local date instead of the scenario's
  --days N               simulate N days (default: the scenario's period)
  --pricing RULE         how the uniform price is placed: k-double (the scenario's uniformPriceK),
                         mid-market or supply-demand-ratio (default: the scenario's market)
  --forecast-error       households bid their own forecasts and are metered on what happens; the
                         difference is settled as deviation (default: the scenario's bidding)
  --json                 print one JSON object {"scenarios":[...]} instead of the table
  --report FILE.html     also write an HTML report with charts
  --workers N            worker threads beside the main one (default: one per further core,
                         here ${availableParallelism() - 1}); any number gives the same results, to the bit
  -h, --help             this text

end to end against a running hub (instead of in-process)
  --hub URL              create a community for the run on this hub and run every household's
                         agent loop through the client; the hub clears at gate closure as usual
  --hours H              how long to run on the hub's clock (default 24); start the hub with a
                         fast clock (npm start -- --speed 900: a 15-minute slot per second)
  operator account: OPENLEM_OPERATOR_EMAIL and OPENLEM_OPERATOR_PASSWORD (default: the demo's)

Examples:
  npm run sim -- examples/groene-mient/scenario.yaml --compare --report groene-mient.html
  npm start -- --speed 900 &  npm run sim -- examples/groene-mient/scenario.yaml --hub http://127.0.0.1:8787 --hours 12`;

function fail(message: string): never {
  process.stderr.write(`openlem-sim: ${message}\n`);
  process.exit(2);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
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
  if (values["forecast-error"]) loaded.scenario.bidding.forecastError = true;
  if (values.pricing !== undefined) {
    const rule = UniformPricing.safeParse(values.pricing);
    if (!rule.success) fail(`--pricing must be one of ${UniformPricing.options.join(", ")}, got "${values.pricing}"`);
    loaded.market.uniformPricing = rule.data;
  }
  if (values.from !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.from) || Number.isNaN(Date.parse(values.from)))
      fail(`--from must be a calendar date YYYY-MM-DD, got "${values.from}"`);
    loaded.scenario.period.from = values.from;
  }
  if (values.days !== undefined) {
    const days = Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 3660)
      fail("--days must be a whole number of days from 1 to 3660");
    loaded.scenario.period.days = days;
  }
  let variants: Variant[];
  if (values.compare) {
    variants = loaded.scenario.communalBattery
      ? ["conventional", "local", "local+battery", "d3a", "ramps"]
      : ["conventional", "local", "d3a", "ramps"];
  } else if (values.variant) {
    if (!(values.variant in VARIANTS)) fail(`--variant must be one of ${Object.keys(VARIANTS).join(", ")}`);
    variants = [values.variant as Variant];
  } else {
    variants = [loaded.scenario.communalBattery ? "local+battery" : "local"];
  }
  if (variants.includes("local+battery") && !loaded.scenario.communalBattery)
    fail("the local+battery variant needs a communalBattery in the scenario");

  const bar = new Progress(process.stderr);
  if (values.hub !== undefined) {
    await runOnHub(loaded, values.hub, values, variants, bar);
    return;
  }
  if (values.hours !== undefined) fail("--hours is for runs on a hub (--hub URL); in-process runs take --days");
  const workers = Number(values.workers ?? availableParallelism() - 1);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    fail(`--workers must be a whole number from 0 to 64, got "${values.workers}"`);
  const results: VariantResult[] = [];
  for (const v of variants) {
    results.push(simulate(loaded, v, { workers, onProgress: (done, total) => bar.update(VARIANTS[v], done, total) }));
    bar.done();
  }
  if (values.json)
    process.stdout.write(
      `${JSON.stringify(toJson(results, loaded.scenario.communalBattery?.id, loaded.scenario.reference))}\n`,
    );
  else process.stdout.write(`${toTable(loaded, results)}\n`);
  if (values.report) {
    writeFileSync(values.report, toHtml(loaded, results));
    process.stderr.write(`report written to ${values.report}\n`);
  }
}

async function runOnHub(
  loaded: LoadedScenario,
  hub: string,
  values: {
    hours?: string | undefined;
    json?: boolean | undefined;
    report?: string | undefined;
    compare?: boolean | undefined;
  },
  variants: Variant[],
  bar: Progress,
): Promise<void> {
  if (values.compare) fail("--compare runs in-process; on a hub, run one variant (--variant local or local+battery)");
  if (!URL.canParse(hub) || !/^https?:$/.test(new URL(hub).protocol))
    fail(`--hub must be an http(s) URL, got "${hub}"`);
  const hours = Number(values.hours ?? "24");
  const slots = Math.round((hours * 60) / loaded.market.slotMinutes);
  if (!Number.isFinite(hours) || hours <= 0 || slots < 1 || hours > 24 * 31)
    fail(`--hours must be more than one slot and at most 744 (31 days), got "${values.hours}"`);
  const variant = variants[0] ?? "local";
  if (variant === "conventional") fail("the conventional variant has no market to run on a hub; use it in-process");
  if (variant === "ramps" || variant === "d3a")
    fail(`the ${variant} variant runs in-process; on a hub the households' agents plan`);
  const operator = {
    email: process.env.OPENLEM_OPERATOR_EMAIL ?? "operator@openlem.local",
    password: process.env.OPENLEM_OPERATOR_PASSWORD ?? "openlem-operator",
  };
  let result: HubRunResult;
  let submitted = 0;
  let errors = 0;
  try {
    result = await simulateOnHub(loaded, {
      url: hub,
      operator,
      slots,
      communalBattery: variant === "local+battery",
      onProgress: (done, total) => bar.update(`on ${hub}`, done, total),
      onEvent: (id, e) => {
        if (e.type === "submitted") submitted++;
        if (e.type === "error" && errors++ < 3)
          process.stderr.write(`\n${id}: ${e.error instanceof Error ? e.error.message : String(e.error)}\n`);
      },
    });
  } catch (err) {
    bar.done();
    if (err instanceof HubError)
      fail(
        err.unreachable
          ? `${err.message}: is the hub running? Start one with npm start -- --speed 900`
          : `the hub refused: ${err.message}${err.status === 401 ? " (set OPENLEM_OPERATOR_EMAIL and OPENLEM_OPERATOR_PASSWORD to an operator account)" : ""}`,
      );
    throw err;
  }
  bar.done();
  process.stderr.write(`${submitted} household order submissions, ${errors} errors\n`);
  const hubScenario = {
    ...loaded,
    scenario: {
      ...loaded.scenario,
      period: { from: isoOf(result.series.startMs[0] ?? 0).slice(0, 10), days: hours / 24 },
    },
  };
  if (values.json)
    process.stdout.write(
      `${JSON.stringify({ communityId: result.communityId, ...toJson([result], loaded.scenario.communalBattery?.id) })}\n`,
    );
  else process.stdout.write(`community ${result.communityId} on ${hub}\n${toTable(hubScenario, [result])}\n`);
  if (values.report) {
    writeFileSync(values.report, toHtml(hubScenario, [result]));
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
      from: { type: "string" },
      json: { type: "boolean" },
      report: { type: "string" },
      hub: { type: "string" },
      hours: { type: "string" },
      workers: { type: "string" },
      pricing: { type: "string" },
      "forecast-error": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`openlem-sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
