import {
  Community,
  CommunityId,
  DeviceToken,
  DeviceTokenCreated,
  DeviceTokenRequest,
  HouseholdId,
  MarketClock,
  MarketConfig,
  Meter,
  MeterId,
  MeterLink,
  MeterRegistered,
  MeterRegistration,
  marketClock,
} from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { HubEvents } from "../app.js";
import type { AccessGuards } from "../auth/guards.js";
import { requireHousehold, requireOperator, requirePrincipal, requireUser } from "../auth/principal.js";
import { announceRevocation } from "../auth/revocations.js";
import type { HubContext } from "../context.js";
import { Problem } from "../http/problem.js";
import { errorResponses, problem, security } from "../http/route-schemas.js";
import { actorOf, audit } from "../services/audit.js";
import { createCommunity, getCommunity, listCommunities, updateMarket } from "../services/communities.js";
import { createDeviceToken, getDeviceToken, listDeviceTokens, revokeDeviceToken } from "../services/device-tokens.js";
import { linkMeter, listMeters, registerMeter, unlinkMeter } from "../services/meters.js";

const C = z.object({ communityId: CommunityId });
const CH = C.extend({ householdId: HouseholdId });

export async function communityRoutes(
  app: FastifyInstance,
  { ctx, guards, events }: { ctx: HubContext; guards: AccessGuards; events: HubEvents },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.get(
    "/api/communities",
    {
      schema: {
        tags: ["communities"],
        summary: "Communities and their market rules",
        security,
        response: { 200: z.array(Community), ...errorResponses },
      },
    },
    async (req) => {
      requirePrincipal(req);
      return listCommunities(db);
    },
  );

  r.post(
    "/api/communities",
    {
      schema: {
        tags: ["communities"],
        summary: "Create a community (operators)",
        security,
        body: Community,
        response: { 201: Community, ...errorResponses },
      },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      const created = await db.transaction(async (tx) => {
        const c = await createCommunity(tx, req.body, ctx.now());
        await audit(tx, actorOf(op), "community.create", { communityId: c.id, market: c.market });
        return c;
      });
      events.communityCreated(created.id);
      return reply.status(201).send(created);
    },
  );

  r.get(
    "/api/communities/:communityId",
    { schema: { tags: ["communities"], security, params: C, response: { 200: Community, ...errorResponses } } },
    async (req) => {
      requirePrincipal(req);
      return getCommunity(db, req.params.communityId);
    },
  );

  r.get(
    "/api/communities/:communityId/clock",
    {
      schema: {
        tags: ["communities"],
        summary: "The hub's market time: the current slot and the next one that takes orders",
        security,
        params: C,
        response: { 200: MarketClock, ...errorResponses },
      },
    },
    async (req) => {
      requirePrincipal(req);
      const { id, market } = await getCommunity(db, req.params.communityId);
      return marketClock(id, market, ctx.now());
    },
  );

  r.put(
    "/api/communities/:communityId/market",
    {
      schema: {
        tags: ["communities"],
        summary: "Change the market rules (operators); slots already cleared keep theirs",
        security,
        params: C,
        body: MarketConfig,
        response: { 200: Community, ...errorResponses },
      },
    },
    async (req) => {
      const op = requireOperator(req);
      return db.transaction(async (tx) => {
        const c = await updateMarket(tx, req.params.communityId, req.body);
        await audit(tx, actorOf(op), "community.market", { communityId: c.id, market: c.market });
        return c;
      });
    },
  );

  r.post(
    "/api/communities/:communityId/meters",
    {
      schema: {
        tags: ["meters"],
        summary: "Register a meter (operators); the response shows its PIN once",
        security,
        params: C,
        body: MeterRegistration,
        response: { 201: MeterRegistered, ...errorResponses },
      },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      await getCommunity(db, req.params.communityId);
      const meter = await db.transaction(async (tx) => {
        const m = await registerMeter(tx, req.params.communityId, req.body);
        await audit(tx, actorOf(op), "meter.register", {
          communityId: m.communityId,
          meterId: m.meterId,
          householdId: m.householdId,
        });
        return m;
      });
      return reply.status(201).send(meter);
    },
  );

  r.get(
    "/api/communities/:communityId/meters",
    {
      schema: {
        tags: ["meters"],
        summary: "Meters: all for operators, a participant's own otherwise",
        security,
        params: C,
        response: { 200: z.array(Meter), ...errorResponses },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const { communityId } = req.params;
      if (p.kind === "user" && p.role === "operator") return listMeters(db, communityId);
      const own =
        p.kind === "device"
          ? p.communityId === communityId
            ? [p.householdId]
            : []
          : p.households.filter((h) => h.communityId === communityId).map((h) => h.householdId);
      return listMeters(db, communityId, own);
    },
  );

  r.post(
    "/api/meters/link",
    {
      config: { rateLimit: { max: ctx.config.authRatePerMinute, timeWindow: "1 minute" } },
      schema: {
        tags: ["meters"],
        summary:
          "Link a meter to your account with its id and PIN; after 5 wrong PINs the account waits 15 minutes (429 with Retry-After)",
        security,
        body: MeterLink,
        response: { 200: Meter, ...errorResponses, 429: problem },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const outcome = await guards.pin(reply, user.userId, async () => {
        const m = await db.transaction(async (tx) => {
          const linked = await linkMeter(tx, user.userId, req.body.meterId, req.body.pin);
          if (!(linked instanceof Problem)) await audit(tx, actorOf(user), "meter.link", { meterId: linked.meterId });
          return linked;
        });
        // only a wrong id or PIN counts as a guess; a meter linked elsewhere is no guess
        return { ok: !(m instanceof Problem && m.status === 422), out: m };
      });
      if (outcome instanceof Problem) throw outcome;
      return outcome;
    },
  );

  r.delete(
    "/api/communities/:communityId/meters/:meterId/link",
    {
      schema: {
        tags: ["meters"],
        summary: "Unlink a meter from its account (operators)",
        security,
        params: C.extend({ meterId: MeterId }),
        response: { 200: Meter, ...errorResponses },
      },
    },
    async (req) => {
      const op = requireOperator(req);
      return db.transaction(async (tx) => {
        const m = await unlinkMeter(tx, req.params.communityId, req.params.meterId);
        await audit(tx, actorOf(op), "meter.unlink", { meterId: m.meterId });
        return m;
      });
    },
  );

  r.post(
    "/api/communities/:communityId/households/:householdId/device-tokens",
    {
      schema: {
        tags: ["devices"],
        summary: "A token for this household's devices (shown once)",
        security,
        params: CH,
        body: DeviceTokenRequest,
        response: { 201: DeviceTokenCreated, ...errorResponses },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      requireHousehold(req, req.params.communityId, req.params.householdId);
      const t = await db.transaction(async (tx) => {
        const created = await createDeviceToken(
          tx,
          req.params.communityId,
          req.params.householdId,
          req.body.name,
          user.userId,
          req.body.scope,
        );
        await audit(tx, actorOf(user), "device-token.create", {
          id: created.id,
          householdId: created.householdId,
          scope: created.scope,
        });
        return created;
      });
      return reply.status(201).send(t);
    },
  );

  r.get(
    "/api/communities/:communityId/households/:householdId/device-tokens",
    { schema: { tags: ["devices"], security, params: CH, response: { 200: z.array(DeviceToken), ...errorResponses } } },
    async (req) => {
      requireUser(req);
      requireHousehold(req, req.params.communityId, req.params.householdId);
      return listDeviceTokens(db, req.params.communityId, req.params.householdId);
    },
  );

  r.delete(
    "/api/device-tokens/:id",
    {
      schema: {
        tags: ["devices"],
        summary: "Revoke a device token",
        security,
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: DeviceToken, ...errorResponses },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const t = await getDeviceToken(db, req.params.id);
      requireHousehold(req, t.communityId, t.householdId);
      const revoked = await revokeDeviceToken(db, t.id, ctx.wallNow());
      announceRevocation();
      await audit(db, actorOf(user), "device-token.revoke", { id: t.id });
      return revoked;
    },
  );
}
