import { hubApi } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { requireHousehold } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { optionalPage } from "../http/paging.js";
import { routeOf } from "../http/route-schemas.js";
import { getCommunityForIntake } from "../services/communities.js";
import { cancelOrder, listOrders, replaceOrder, submitOrders } from "../services/orders.js";

export async function orderRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.submitOrder),
    handler: async (req, reply) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunityForIntake(db, communityId);
      // One INSERT statement: atomic without an explicit transaction.
      const out = await submitOrders(db, communityId, householdId, market, [req.body], ctx.now(), () => []);
      if (out.created) ctx.metrics.orders.inc({ community: communityId, channel: "rest" });
      const [record] = out.records;
      if (!record) throw new Error("an accepted order left no record");
      return reply.status(out.created ? 201 : 200).send(record);
    },
  });

  r.route({
    ...routeOf(hubApi.submitOrders),
    handler: async (req, reply) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunityForIntake(db, communityId);
      const out = await submitOrders(db, communityId, householdId, market, req.body.orders, ctx.now(), (i) => [
        "orders",
        i,
      ]);
      if (out.created) ctx.metrics.orders.inc({ community: communityId, channel: "rest" }, out.records.length);
      return reply.status(out.created ? 201 : 200).send({ orders: out.records });
    },
  });

  r.route({
    ...routeOf(hubApi.listOrders),
    handler: async (req, reply) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { from, to, empty } = optionalPage(req, reply, req.query);
      if (empty) return [];
      return listOrders(db, communityId, householdId, { from, to, status: req.query.status });
    },
  });

  r.route({
    ...routeOf(hubApi.replaceOrder),
    handler: async (req) => {
      const { communityId, householdId, orderId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunityForIntake(db, communityId);
      return db.transaction((tx) => replaceOrder(tx, communityId, householdId, orderId, req.body, market, ctx.now()));
    },
  });

  r.route({
    ...routeOf(hubApi.cancelOrder),
    handler: async (req) => {
      const { communityId, householdId, orderId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunityForIntake(db, communityId);
      return db.transaction((tx) => cancelOrder(tx, communityId, householdId, orderId, market, ctx.now()));
    },
  });
}
