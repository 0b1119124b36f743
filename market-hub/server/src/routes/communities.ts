import { hubApi, marketClock } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { operatorsOnly, requireOperator, requirePrincipal } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import type { HubEvents } from "../events.js";
import { routeOf } from "../http/route-schemas.js";
import { actorOf, audit } from "../services/audit.js";
import { createCommunity, getCommunity, listCommunities, updateMarket } from "../services/communities.js";

export async function communityRoutes(
  app: FastifyInstance,
  { ctx, events }: { ctx: HubContext; events: HubEvents },
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
    ...operatorsOnly,
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
    ...operatorsOnly,
    handler: async (req) => {
      const op = requireOperator(req);
      return db.transaction(async (tx) => {
        const c = await updateMarket(tx, req.params.communityId, req.body);
        await audit(tx, actorOf(op), "community.market", { communityId: c.id, market: c.market });
        return c;
      });
    },
  });
}
