#!/usr/bin/env node
import { parseArgs } from "node:util";
import { Progress } from "@openlem/protocol";
import { ensureOperator } from "./auth/users.js";
import { configFromEnv } from "./config.js";
import { openDatabase } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { AcceleratedClock, schedulerTickMs } from "./demo/clock.js";
import { DEMO_COMMUNITY, DEMO_NEWCOMER, DEMO_OPERATOR, DEMO_PARTICIPANT, runDemo } from "./demo/run.js";
import { startHub } from "./hub.js";

const USAGE = `openlem-hub <command> [options]

options
  --config FILE              settings from a JSON file (also OPENLEM_CONFIG); environment variables win

commands
  serve [--speed N] [--no-clearing]
                             run the hub (configuration from the environment, see the README);
                             --speed N runs its market clock N times faster (for simulations);
                             --no-clearing serves the API and MQTT and leaves clearing to another
                             process on the same database (one that runs plain serve), so that
                             no request can hold clearing back
  demo [--speed N]           run the hub with a demo community trading every slot;
                             --speed 60 makes an hour pass in a minute
  migrate                    apply the database migrations and exit
  create-operator --email E --password P
                             create an operator account (the first one, or another)

environment
  PORT (8787), HOST (127.0.0.1), DATABASE_URL (else embedded PGlite in OPENLEM_DATA_DIR, ./data),
  MQTT_URL (else embedded broker on OPENLEM_MQTT_PORT, 1884), LOG_LEVEL,
  OPENLEM_OPERATOR_EMAIL / OPENLEM_OPERATOR_PASSWORD (first operator on first start)`;

async function main(argv: string[]): Promise<void> {
  // `openlem-hub --help` as well as `openlem-hub serve --help`
  const [command, ...rest] = argv[0]?.startsWith("-") ? ["help", ...argv] : argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      speed: { type: "string" },
      "no-clearing": { type: "boolean" },
      email: { type: "string" },
      password: { type: "string" },
      config: { type: "string", short: "c" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (!command || values.help || command === "help") {
    console.log(USAGE);
    return;
  }
  const config = configFromEnv(process.env, {}, values.config ?? process.env.OPENLEM_CONFIG);
  switch (command) {
    case "migrate": {
      const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      const applied = await migrate(db);
      await db.close();
      console.log(applied.length ? `applied ${applied.join(", ")}` : "the database is up to date");
      return;
    }
    case "create-operator": {
      if (!values.email || !values.password) throw new Error("create-operator needs --email and --password");
      const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      await migrate(db);
      const outcome = await ensureOperator(db, values.email, values.password);
      await db.close();
      console.log(outcome === "created" ? `operator ${values.email} created` : `${values.email} exists already`);
      return;
    }
    case "serve": {
      const env = process.env;
      const operator =
        env.OPENLEM_OPERATOR_EMAIL && env.OPENLEM_OPERATOR_PASSWORD
          ? { email: env.OPENLEM_OPERATOR_EMAIL, password: env.OPENLEM_OPERATOR_PASSWORD }
          : undefined;
      const speed = speedOf(values.speed);
      const clock = speed > 1 ? new AcceleratedClock(speed) : null;
      const hub = await startHub({
        config,
        operator,
        logger: true,
        ...(clock ? { now: clock.now, tickMs: schedulerTickMs(speed), resumeClock: (ms) => clock.notBefore(ms) } : {}),
        ...(values["no-clearing"] ? { tickMs: 0 } : {}),
      });
      console.log(
        `OpenLEM hub on ${hub.url} (API docs: ${hub.url}/api/docs), MQTT ${hub.mqttUrl}${speed > 1 ? `, market clock ${speed}x` : ""}${values["no-clearing"] ? ", clearing left to another process" : ""}`,
      );
      onSignals(() => hub.close());
      return;
    }
    case "demo": {
      const speed = speedOf(values.speed);
      const progress = new Progress(process.stdout, true);
      const demo = await runDemo({
        config,
        speed,
        logger: config.logLevel !== "info",
        // a fresh demo first trades the day before, so that every page and chart has data
        onHistory: (done, total) => {
          progress.update("demo: trading the day before", done, total);
          if (done === total) progress.done();
        },
      });
      const u = demo.hub.url;
      console.log(`
OpenLEM hub demo${speed > 1 ? ` (clock ${speed}x)` : ""}: community "${DEMO_COMMUNITY}", 10 households and a communal battery
  API and docs   ${u}/api/docs          OpenAPI ${u}/api/openapi.json
  pages          ${u}/admin/ (operator)   ${u}/app/ (participants)
  MQTT           ${demo.hub.mqttUrl}   (WebSocket: ${u.replace("http", "ws")}/mqtt)
  operator       ${DEMO_OPERATOR.email} / ${DEMO_OPERATOR.password}
  participant    ${DEMO_PARTICIPANT.email} / ${DEMO_PARTICIPANT.password}
  your meter     ${demo.linkMeter.pin ? `id ${demo.linkMeter.meterId}  PIN ${demo.linkMeter.pin}   (POST /api/meters/link): household ${DEMO_NEWCOMER.householdId}, yours alone` : `${demo.linkMeter.meterId} is linked already: log in as the participant`}
  data           ${config.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${config.dataDir}`}

Try it:
  TOKEN=$(curl -s ${u}/api/auth/login -H 'content-type: application/json' \\
    -d '{"email":"${DEMO_PARTICIPANT.email}","password":"${DEMO_PARTICIPANT.password}"}' | sed 's/.*"accessToken":"\\([^"]*\\)".*/\\1/')
${
  demo.linkMeter.pin
    ? `  curl -s ${u}/api/meters/link -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{"meterId":"${demo.linkMeter.meterId}","pin":"${demo.linkMeter.pin}"}'
`
    : ""
}  SLOT=$(curl -s ${u}/api/communities/${DEMO_COMMUNITY}/clock -H "authorization: Bearer $TOKEN" | sed 's/.*"nextOpenSlot":"\\([^"]*\\)".*/\\1/')
  curl -s ${u}/api/communities/${DEMO_COMMUNITY}/households/${DEMO_NEWCOMER.householdId}/orders -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -d "{\\"clientOrderId\\":\\"try-$SLOT\\",\\"side\\":\\"buy\\",\\"slot\\":\\"$SLOT\\",\\"energyWh\\":500,\\"limitPrice\\":0.2}"
  curl -s "${u}/api/communities/${DEMO_COMMUNITY}/results" -H "authorization: Bearer $TOKEN"
  curl -s "${u}/api/communities/${DEMO_COMMUNITY}/households/${DEMO_NEWCOMER.householdId}/statement" -H "authorization: Bearer $TOKEN"
  # a device token for Node-RED or a bridge, and a read-only one for the energy card (each shown once;
  # or on ${u}/app/ under "Devices and dashboards")
  curl -s ${u}/api/communities/${DEMO_COMMUNITY}/households/${DEMO_NEWCOMER.householdId}/device-tokens -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -d '{"name":"Node-RED"}'
  curl -s ${u}/api/communities/${DEMO_COMMUNITY}/households/${DEMO_NEWCOMER.householdId}/device-tokens -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -d '{"name":"energy card","scope":"read"}'
  mosquitto_sub -h ${new URL(demo.hub.mqttUrl).hostname} -p ${new URL(demo.hub.mqttUrl).port} -t 'openlem/#' -v
Slots clear every ${15} minutes of hub time at gate closure. Ctrl-C stops the hub.`);
      onSignals(() => demo.stop());
      return;
    }
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

function speedOf(value: string | undefined): number {
  const speed = Number(value ?? "1");
  if (!Number.isFinite(speed) || speed < 1 || speed > 3600) throw new Error("--speed must be a number from 1 to 3600");
  return speed;
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping: finishing any clearing in progress ...");
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
