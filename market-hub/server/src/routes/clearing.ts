import { bookCurves, hubApi } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import {
  householdOnly,
  operatorsOnly,
  requireHousehold,
  requireOperator,
  requirePrincipal,
} from "../auth/principal.js";
import type { HubContext } from "../context.js";
import type { HubEvents } from "../events.js";
import { optionalPage } from "../http/paging.js";
import { routeOf } from "../http/route-schemas.js";
import { actorOf, audit } from "../services/audit.js";
import { clearSlot } from "../services/clearing.js";
import { getCommunity } from "../services/communities.js";
import { slotOrders } from "../services/orders.js";
import { listFills, listResults } from "../services/results.js";

export async function clearingRoutes(
  app: FastifyInstance,
  { ctx, events }: { ctx: HubContext; events: HubEvents },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.clearSlot),
    ...operatorsOnly,
    handler: async (req, reply) => {
      const op = requireOperator(req);
      const { communityId } = req.params;
      const cleared = await db.transaction(async (tx) => {
        const c = await clearSlot(tx, { communityId, ...req.body, now: ctx.now(), triggeredBy: actorOf(op) });
        if (c.created)
          await audit(tx, actorOf(op), "clearing.manual", {
            communityId,
            slot: req.body.slot,
            commodity: req.body.commodity,
          });
        return c;
      });
      if (cleared.created) events.cleared(communityId, cleared);
      return reply.status(cleared.created ? 201 : 200).send(cleared.result);
    },
  });

  r.route({
    ...routeOf(hubApi.book),
    ...operatorsOnly,
    handler: async (req) => {
      requireOperator(req);
      await getCommunity(db, req.params.communityId);
      const { slot, commodity } = req.query;
      const orders = await slotOrders(db, req.params.communityId, slot, commodity);
      return bookCurves(
        slot,
        commodity,
        orders.map((o) => o.order),
      );
    },
  });

  r.route({
    ...routeOf(hubApi.results),
    handler: async (req, reply) => {
      requirePrincipal(req);
      const { from, to, empty } = optionalPage(req, reply, req.query);
      if (empty) return [];
      return listResults(db, req.params.communityId, { commodity: req.query.commodity, from, to });
    },
  });

  r.route({
    ...routeOf(hubApi.fills),
    ...householdOnly,
    handler: async (req, reply) => {
      requireHousehold(req, req.params.communityId, req.params.householdId);
      const { from, to, empty } = optionalPage(req, reply, req.query);
      if (empty) return [];
      return listFills(db, req.params.communityId, req.params.householdId, from, to);
    },
  });
}
