import { Login, Me, RefreshRequest, Registration, TokenPair } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AccessGuards } from "../auth/guards.js";
import { requirePrincipal } from "../auth/principal.js";
import { authenticate, createUser, issueTokens, refreshTokens, revokeRefreshToken } from "../auth/users.js";
import type { HubContext } from "../context.js";
import { problem } from "../http/route-schemas.js";

const tags = ["accounts"];

export async function authRoutes(
  app: FastifyInstance,
  { ctx, guards }: { ctx: HubContext; guards: AccessGuards },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const rateLimit = { max: ctx.config.authRatePerMinute, timeWindow: "1 minute" };

  r.post(
    "/api/auth/register",
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: "Create an account (an observer until a meter is linked)",
        body: Registration,
        response: { 201: TokenPair, 400: problem, 409: problem, 429: problem },
      },
    },
    async (req, reply) => {
      const id = await createUser(ctx.db, req.body.email, req.body.password, "observer");
      return reply.status(201).send(await issueTokens(ctx, id));
    },
  );

  r.post(
    "/api/auth/login",
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: "Log in; failed logins slow down further attempts for the account (429 with Retry-After)",
        body: Login,
        response: { 200: TokenPair, 400: problem, 401: problem, 429: problem },
      },
    },
    async (req, reply) =>
      guards.login(reply, req.body.email, req.ip, async () =>
        issueTokens(ctx, await authenticate(ctx, req.body.email, req.body.password)),
      ),
  );

  r.post(
    "/api/auth/refresh",
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: "Exchange a refresh token for a new token pair",
        body: RefreshRequest,
        response: { 200: TokenPair, 400: problem, 401: problem, 429: problem },
      },
    },
    async (req) => refreshTokens(ctx, req.body.refreshToken),
  );

  r.post(
    "/api/auth/logout",
    {
      schema: {
        tags,
        summary: "Retire a refresh token",
        body: RefreshRequest,
        response: { 204: z.null().describe("retired"), 400: problem },
      },
    },
    async (req, reply) => {
      await revokeRefreshToken(ctx, req.body.refreshToken);
      return reply.status(204).send(null);
    },
  );

  r.get(
    "/api/me",
    {
      schema: {
        tags,
        summary: "Who the token belongs to",
        security: [{ bearer: [] }],
        response: { 200: Me, 401: problem },
      },
    },
    async (req) => requirePrincipal(req),
  );
}
