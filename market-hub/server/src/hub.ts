import type { CommunityId } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import { buildApp, HUB_VERSION } from "./app.js";
import { signingKey } from "./auth/tokens.js";
import { ensureOperator } from "./auth/users.js";
import type { HubConfig } from "./config.js";
import type { HubContext } from "./context.js";
import { openDatabase } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import type { HubEvents } from "./events.js";
import { HubMetrics } from "./http/metrics.js";
import { type EmbeddedBroker, startEmbeddedBroker } from "./mqtt/broker.js";
import { HubMqtt } from "./mqtt/hub-mqtt.js";
import type { ClearedSlot } from "./services/clearing.js";
import { lastMarketTimeMs, recordMarketTime } from "./services/market-time.js";
import { ClearingScheduler } from "./services/scheduler.js";

export interface HubOptions {
  config: HubConfig;
  /** The hub's clock (default: real time); the demo runs an accelerated one. */
  now?: () => Date;
  /** First operator, created if missing (OPENLEM_OPERATOR_EMAIL / OPENLEM_OPERATOR_PASSWORD). */
  operator?: { email: string; password: string } | undefined;
  logger?: boolean;
  /** Scheduler tick (ms); 0 disables automatic clearing. */
  tickMs?: number;
  /** Wall-clock time for token lifetimes and lockouts (tests move it; default the real clock). */
  wallNow?: () => Date;
  /** How often the embedded broker re-checks every session's token (ms; default 30 s). */
  mqttRecheckMs?: number;
  /** Not ready (readyz 503, with this reason) until `ready()` is called: for work the hub must do first. */
  notReadyUntil?: string;
  /**
   * Told, before the hub serves, the latest market time its database has seen (null: none), so
   * that a fast market clock can resume there instead of running back.
   */
  resumeClock?: (lastMarketTimeMs: number | null) => void;
  onCleared?: HubEvents["cleared"];
}

export interface RunningHub {
  app: FastifyInstance;
  ctx: HubContext;
  scheduler: ClearingScheduler;
  url: string;
  /** The broker the hub publishes to: the embedded one (mqtt://127.0.0.1:1884) or MQTT_URL. */
  mqttUrl: string;
  mqtt: HubMqtt;
  /** Says why readyz answers 503 from now on (null: ready again). */
  setNotReady(why: string | null): void;
  /** Graceful shutdown: stop accepting, let an in-flight clearing finish, close the database. */
  close(): Promise<void>;
}

export async function startHub(o: HubOptions): Promise<RunningHub> {
  const db = await openDatabase({ url: o.config.databaseUrl, dataDir: o.config.dataDir });
  await migrate(db);
  o.resumeClock?.(await lastMarketTimeMs(db));
  const ctx: HubContext = {
    config: o.config,
    db,
    now: o.now ?? (() => new Date()),
    wallNow: o.wallNow ?? (() => new Date()),
    key: await signingKey(db),
    metrics: new HubMetrics(),
  };
  if (o.operator) await ensureOperator(db, o.operator.email, o.operator.password);
  let mqttHub: HubMqtt | undefined;
  const onCleared = (c: CommunityId, s: ClearedSlot) => {
    ctx.metrics.clearings.inc({
      community: c,
      commodity: s.result.commodity,
      trigger: s.triggeredBy === "scheduler" ? "scheduler" : "operator",
    });
    o.onCleared?.(c, s);
    mqttHub?.publishCleared(c, s).catch((err) => app.log.error({ err }, "publishing a clearing result on MQTT failed"));
  };
  const events: HubEvents = {
    cleared: onCleared,
    communityCreated: (c) => {
      mqttHub?.community(c).catch((err) => app.log.error({ err }, "announcing a community on MQTT failed"));
    },
  };
  let notReady: string | null = o.notReadyUntil ?? null;
  const app = await buildApp(ctx, { logger: o.logger ?? false, events, readiness: () => notReady });
  let broker: EmbeddedBroker | undefined;
  if (!o.config.mqttUrl) {
    broker = await startEmbeddedBroker(ctx, {
      port: o.config.mqttPort,
      host: o.config.host,
      app,
      ...(o.mqttRecheckMs ? { recheckMs: o.mqttRecheckMs } : {}),
    });
  }
  const mqttConn = broker
    ? { url: broker.url, ...broker.hubCredentials }
    : {
        url: o.config.mqttUrl ?? "",
        username: o.config.mqttUsername,
        password: o.config.mqttPassword,
        shared: true,
      };
  mqttHub = await HubMqtt.start(ctx, mqttConn, HUB_VERSION, (err, what) =>
    app.log.error({ err }, `${what} on MQTT failed`),
  );
  const mqtt = mqttHub;
  const scheduler = new ClearingScheduler({
    db,
    now: ctx.now,
    onCleared,
    onError: (err) => app.log.error({ err }, "scheduled clearing failed; retrying on the next tick"),
    onTick: async (now) => {
      await mqtt
        .slotTick(now)
        .catch((err) => app.log.error({ err }, "publishing the price of the slot under way failed"));
      // what a publish that failed (broker away) or another replica that died left in the outbox
      await mqtt.publishMissed().catch((err) => app.log.error({ err }, "sending unpublished clearings failed"));
    },
  });
  await app.listen({ port: o.config.port, host: o.config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : o.config.port;
  const url = `http://${o.config.host === "0.0.0.0" ? "localhost" : o.config.host}:${port}`;
  if ((o.tickMs ?? 1000) > 0) scheduler.start(o.tickMs ?? 1000);
  let closing: Promise<void> | undefined;
  return {
    app,
    ctx,
    scheduler,
    url,
    mqttUrl: broker
      ? `mqtt://${o.config.host === "0.0.0.0" ? "localhost" : o.config.host}:${broker.port}`
      : mqttConn.url,
    mqtt,
    setNotReady: (why) => {
      notReady = why;
    },
    close: () => {
      closing ??= (async () => {
        await scheduler.stop();
        // MQTT first: its WebSocket clients hold upgraded HTTP connections that would keep
        // the HTTP server from closing.
        await mqtt.close();
        await broker?.close();
        await app.close();
        // where the market clock stopped: a restart resumes there, not at the last tick before
        await recordMarketTime(db, ctx.now()).catch(() => undefined);
        await db.close();
      })();
      return closing;
    },
  };
}
