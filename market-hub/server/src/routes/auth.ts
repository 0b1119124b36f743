import { hubApi } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AccessGuards } from "../auth/guards.js";
import { requirePrincipal } from "../auth/principal.js";
import { authenticate, createUser, issueTokens, refreshTokens, revokeRefreshToken } from "../auth/users.js";
import type { HubContext } from "../context.js";
import { routeOf } from "../http/route-schemas.js";

export async function authRoutes(
  app: FastifyInstance,
  { ctx, guards }: { ctx: HubContext; guards: AccessGuards },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.route({
    ...routeOf(hubApi.register, { authRatePerMinute: ctx.config.authRatePerMinute }),
    handler: async (req, reply) => {
      const id = await createUser(ctx.db, req.body.email, req.body.password, "observer");
      return reply.status(201).send(await issueTokens(ctx, id));
    },
  });

  r.route({
    ...routeOf(hubApi.login, { authRatePerMinute: ctx.config.authRatePerMinute }),
    handler: async (req, reply) =>
      guards.login(reply, req.body.email, req.ip, async () =>
        issueTokens(ctx, await authenticate(ctx, req.body.email, req.body.password)),
      ),
  });

  r.route({
    ...routeOf(hubApi.refresh, { authRatePerMinute: ctx.config.authRatePerMinute }),
    handler: async (req) => refreshTokens(ctx, req.body.refreshToken),
  });

  r.route({
    ...routeOf(hubApi.logout),
    handler: async (req, reply) => {
      await revokeRefreshToken(ctx, req.body.refreshToken);
      return reply.status(204).send(null);
    },
  });

  r.route({
    ...routeOf(hubApi.me),
    handler: async (req) => requirePrincipal(req),
  });
}
