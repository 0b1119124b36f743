import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { registerAuthentication } from "./auth/principal.js";
import type { HubContext } from "./context.js";
import { registerErrorHandler } from "./http/errors.js";
import { registerOpenApi } from "./http/openapi.js";
import { authRoutes } from "./routes/auth.js";
import { clearingRoutes } from "./routes/clearing.js";
import { communityRoutes } from "./routes/communities.js";
import { healthRoutes } from "./routes/health.js";
import { orderRoutes } from "./routes/orders.js";
import type { ClearedSlot } from "./services/clearing.js";

export const HUB_VERSION = "0.1.0";

/** The hub's HTTP application: plugins in the order they depend on each other (Fastify style). */
export interface AppOptions {
  logger?: boolean;
  /** Told about every slot this process clears (the MQTT publisher listens here). */
  onCleared?: (communityId: string, cleared: ClearedSlot) => void;
}

export async function buildApp(ctx: HubContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { level: ctx.config.logLevel } : false,
    // Batches of 1,000 orders or 10,000 readings fit; anything larger is refused with 413.
    bodyLimit: 4 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  await registerOpenApi(app, HUB_VERSION);
  registerAuthentication(app, ctx);
  await app.register(healthRoutes, { db: ctx.db });
  await app.register(authRoutes, { ctx });
  await app.register(communityRoutes, { ctx });
  await app.register(orderRoutes, { ctx });
  await app.register(clearingRoutes, { ctx, onCleared: options.onCleared ?? (() => undefined) });
  return app;
}
