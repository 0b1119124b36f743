import { hubApi } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { householdOnly, requireHousehold } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { optionalPage } from "../http/paging.js";
import { routeOf } from "../http/route-schemas.js";
import { getCommunityForIntake } from "../services/communities.js";
import { cancelOrder, intakeOrders, listOrders, replaceOrder } from "../services/orders.js";

export async function orderRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.submitOrder),
    ...householdOnly,
    handler: async (req, reply) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const out = await intakeOrders(ctx, { communityId, householdId }, [req.body], {
        channel: "rest",
        prefix: () => [],
      });
      const [record] = out.records;
      if (!record) throw new Error("an accepted order left no record");
      return reply.status(out.created ? 201 : 200).send(record);
    },
  });

  r.route({
    ...routeOf(hubApi.submitOrders),
    ...householdOnly,
    handler: async (req, reply) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const out = await intakeOrders(ctx, { communityId, householdId }, req.body.orders, {
        channel: "rest",
        prefix: (i) => ["orders", i],
      });
      return reply.status(out.created ? 201 : 200).send({ orders: out.records });
    },
  });

  r.route({
    ...routeOf(hubApi.listOrders),
    ...householdOnly,
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
    ...householdOnly,
    handler: async (req) => {
      const { communityId, householdId, orderId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunityForIntake(db, communityId);
      return db.transaction((tx) =>
        replaceOrder({ db: tx, communityId, householdId, market, now: ctx.now() }, orderId, req.body),
      );
    },
  });

  r.route({
    ...routeOf(hubApi.cancelOrder),
    ...householdOnly,
    handler: async (req) => {
      const { communityId, householdId, orderId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunityForIntake(db, communityId);
      return db.transaction((tx) => cancelOrder({ db: tx, communityId, householdId, market, now: ctx.now() }, orderId));
    },
  });
}
