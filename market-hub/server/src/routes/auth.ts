import { hubApi } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_PATH,
  DEVICE_COOKIE_SECONDS,
  deviceOf,
  issueDeviceCookie,
} from "../auth/device-cookies.js";
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
    handler: async (req, reply) => {
      const { email, password } = req.body;
      const device = await deviceOf(ctx.key, req.cookies[DEVICE_COOKIE], email, ctx.wallNow());
      const pair = await guards.login(reply, email, req.ip, device, async () =>
        issueTokens(ctx, await authenticate(ctx, email, password)),
      );
      // a fresh cookie with every login: this browser is one the account knows
      reply.setCookie(DEVICE_COOKIE, await issueDeviceCookie(ctx.key, email, ctx.wallNow()), {
        path: DEVICE_COOKIE_PATH,
        httpOnly: true,
        sameSite: "strict",
        secure: req.protocol === "https",
        maxAge: DEVICE_COOKIE_SECONDS,
      });
      return pair;
    },
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
