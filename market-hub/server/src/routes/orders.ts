import {
  CommunityId,
  HouseholdId,
  OrderBatch,
  OrderInput,
  OrderRecord,
  OrderStatus,
  TimeRange,
} from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireHousehold } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { optionalPage } from "../http/paging.js";
import { errorResponses, security } from "../http/route-schemas.js";
import { getCommunityForIntake } from "../services/communities.js";
import { cancelOrder, listOrders, replaceOrder, submitOrders } from "../services/orders.js";

const tags = ["orders"];
const CH = z.object({ communityId: CommunityId, householdId: HouseholdId });
const CHO = CH.extend({ orderId: z.coerce.number().int().positive() });
const base = "/api/communities/:communityId/households/:householdId/orders";

export async function orderRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.post(
    base,
    {
      schema: {
        tags,
        summary: "Submit an order (201; 200 when the same clientOrderId and content were accepted before)",
        security,
        params: CH,
        body: OrderInput,
        response: { 200: OrderRecord, 201: OrderRecord, ...errorResponses },
      },
    },
    async (req, reply) => {
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
  );

  r.post(
    `${base}/batch`,
    {
      schema: {
        tags,
        summary: "Submit up to 1,000 orders at once, all or nothing",
        security,
        params: CH,
        body: OrderBatch,
        response: {
          200: z.object({ orders: z.array(OrderRecord) }),
          201: z.object({ orders: z.array(OrderRecord) }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
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
  );

  r.get(
    base,
    {
      schema: {
        tags,
        summary: "The household's orders, by delivery slot",
        security,
        params: CH,
        querystring: TimeRange.safeExtend({ status: OrderStatus.optional() }),
        response: { 200: z.array(OrderRecord), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { from, to, empty } = optionalPage(req, reply, req.query);
      if (empty) return [];
      return listOrders(db, communityId, householdId, { from, to, status: req.query.status });
    },
  );

  r.put(
    `${base}/:orderId`,
    {
      schema: {
        tags,
        summary: "Replace an open order before gate closure",
        security,
        params: CHO,
        body: OrderInput,
        response: { 200: OrderRecord, ...errorResponses },
      },
    },
    async (req) => {
      const { communityId, householdId, orderId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunityForIntake(db, communityId);
      return db.transaction((tx) => replaceOrder(tx, communityId, householdId, orderId, req.body, market, ctx.now()));
    },
  );

  r.delete(
    `${base}/:orderId`,
    {
      schema: {
        tags,
        summary: "Cancel an open order before gate closure",
        security,
        params: CHO,
        response: { 200: OrderRecord, ...errorResponses },
      },
    },
    async (req) => {
      const { communityId, householdId, orderId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunityForIntake(db, communityId);
      return db.transaction((tx) => cancelOrder(tx, communityId, householdId, orderId, market, ctx.now()));
    },
  );
}
