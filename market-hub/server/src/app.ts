import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler } from "fastify-type-provider-zod";
import { AccessGuards } from "./auth/guards.js";
import { registerAuthentication } from "./auth/principal.js";
import type { HubContext } from "./context.js";
import type { HubEvents } from "./events.js";
import { registerErrorHandler } from "./http/errors.js";
import { registerMetrics } from "./http/metrics.js";
import { noNulValidatorCompiler } from "./http/no-nul.js";
import { registerOpenApi } from "./http/openapi.js";
import { registerPages } from "./http/pages.js";
import { Problem } from "./http/problem.js";
import { registerSecurityHeaders } from "./http/security-headers.js";
import { authRoutes } from "./routes/auth.js";
import { clearingRoutes } from "./routes/clearing.js";
import { communityRoutes } from "./routes/communities.js";
import { deviceTokenRoutes } from "./routes/device-tokens.js";
import { healthRoutes, type Readiness } from "./routes/health.js";
import { meterRoutes } from "./routes/meters.js";
import { orderRoutes } from "./routes/orders.js";
import { preferenceRoutes } from "./routes/preferences.js";
import { settlementRoutes } from "./routes/settlement.js";

export const HUB_VERSION = "0.1.0";

export interface AppOptions {
  logger?: boolean;
  events?: HubEvents;
  /** What /readyz asks besides the database (see health.ts). */
  readiness?: Readiness;
}

const NO_EVENTS: HubEvents = { cleared: () => undefined, communityCreated: () => undefined };

/** The hub's HTTP application: plugins in the order they depend on each other (Fastify style). */
export async function buildApp(ctx: HubContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { level: ctx.config.logLevel } : false,
    // Batches of 1,000 orders or 10,000 readings fit; anything larger is refused with 413.
    bodyLimit: 4 * 1024 * 1024,
    // "__proto__" and "constructor.prototype" keys are dropped from bodies, not refused: the API
    // ignores keys it does not know, and these are no different, but must never reach an object
    onProtoPoisoning: "remove",
    onConstructorPoisoning: "remove",
  });
  app.setValidatorCompiler(noNulValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // browsers (the Lovelace cards' hub source, admin pages elsewhere) only from named origins
  if (ctx.config.corsOrigins.length > 0)
    await app.register(cors, { origin: ctx.config.corsOrigins, allowedHeaders: ["authorization", "content-type"] });
  registerErrorHandler(app);
  // the login's device cookie (auth/device-cookies.ts)
  await app.register(cookie);
  await registerSecurityHeaders(app);
  // per-address request rates for the routes that opt in (those that check a password or PIN)
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, limit) =>
      Problem.tooManyRequests(`too many requests from this address: try again in ${limit.after}`),
  });
  const guards = new AccessGuards(() => ctx.wallNow().getTime());
  await registerPages(app);
  registerMetrics(app, ctx.metrics);
  await registerOpenApi(app, HUB_VERSION);
  registerAuthentication(app, ctx);
  await app.register(healthRoutes, { db: ctx.db, readiness: options.readiness });
  await app.register(authRoutes, { ctx, guards });
  await app.register(communityRoutes, { ctx, events: options.events ?? NO_EVENTS });
  await app.register(meterRoutes, { ctx, guards });
  await app.register(deviceTokenRoutes, { ctx });
  await app.register(orderRoutes, { ctx });
  await app.register(clearingRoutes, { ctx, events: options.events ?? NO_EVENTS });
  await app.register(settlementRoutes, { ctx });
  await app.register(preferenceRoutes, { ctx });
  return app;
}
