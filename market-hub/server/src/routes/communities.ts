import { hubApi, marketClock } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { HubEvents } from "../app.js";
import type { AccessGuards } from "../auth/guards.js";
import { requireHousehold, requireOperator, requirePrincipal, requireUser } from "../auth/principal.js";
import { announceRevocation } from "../auth/revocations.js";
import type { HubContext } from "../context.js";
import { Problem } from "../http/problem.js";
import { routeOf } from "../http/route-schemas.js";
import { actorOf, audit } from "../services/audit.js";
import { createCommunity, getCommunity, listCommunities, updateMarket } from "../services/communities.js";
import { createDeviceToken, getDeviceToken, listDeviceTokens, revokeDeviceToken } from "../services/device-tokens.js";
import { linkMeter, listMeters, registerMeter, unlinkMeter } from "../services/meters.js";

export async function communityRoutes(
  app: FastifyInstance,
  { ctx, guards, events }: { ctx: HubContext; guards: AccessGuards; events: HubEvents },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.listCommunities),
    handler: async (req) => {
      requirePrincipal(req);
      return listCommunities(db);
    },
  });

  r.route({
    ...routeOf(hubApi.createCommunity),
    handler: async (req, reply) => {
      const op = requireOperator(req);
      const created = await db.transaction(async (tx) => {
        const c = await createCommunity(tx, req.body, ctx.now());
        await audit(tx, actorOf(op), "community.create", { communityId: c.id, market: c.market });
        return c;
      });
      events.communityCreated(created.id);
      return reply.status(201).send(created);
    },
  });

  r.route({
    ...routeOf(hubApi.community),
    handler: async (req) => {
      requirePrincipal(req);
      return getCommunity(db, req.params.communityId);
    },
  });

  r.route({
    ...routeOf(hubApi.clock),
    handler: async (req) => {
      requirePrincipal(req);
      const { id, market } = await getCommunity(db, req.params.communityId);
      return marketClock(id, market, ctx.now());
    },
  });

  r.route({
    ...routeOf(hubApi.updateMarket),
    handler: async (req) => {
      const op = requireOperator(req);
      return db.transaction(async (tx) => {
        const c = await updateMarket(tx, req.params.communityId, req.body);
        await audit(tx, actorOf(op), "community.market", { communityId: c.id, market: c.market });
        return c;
      });
    },
  });

  r.route({
    ...routeOf(hubApi.registerMeter),
    handler: async (req, reply) => {
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
  });

  r.route({
    ...routeOf(hubApi.listMeters),
    handler: async (req) => {
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
  });

  r.route({
    ...routeOf(hubApi.linkMeter, { authRatePerMinute: ctx.config.authRatePerMinute }),
    handler: async (req, reply) => {
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
  });

  r.route({
    ...routeOf(hubApi.unlinkMeter),
    handler: async (req) => {
      const op = requireOperator(req);
      return db.transaction(async (tx) => {
        const m = await unlinkMeter(tx, req.params.communityId, req.params.meterId);
        await audit(tx, actorOf(op), "meter.unlink", { meterId: m.meterId });
        return m;
      });
    },
  });

  r.route({
    ...routeOf(hubApi.createDeviceToken),
    handler: async (req, reply) => {
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
  });

  r.route({
    ...routeOf(hubApi.listDeviceTokens),
    handler: async (req) => {
      requireUser(req);
      requireHousehold(req, req.params.communityId, req.params.householdId);
      return listDeviceTokens(db, req.params.communityId, req.params.householdId);
    },
  });

  r.route({
    ...routeOf(hubApi.revokeDeviceToken),
    handler: async (req) => {
      const user = requireUser(req);
      const t = await getDeviceToken(db, req.params.id);
      requireHousehold(req, t.communityId, t.householdId);
      const revoked = await revokeDeviceToken(db, t.id, ctx.wallNow());
      announceRevocation();
      await audit(db, actorOf(user), "device-token.revoke", { id: t.id });
      return revoked;
    },
  });
}
