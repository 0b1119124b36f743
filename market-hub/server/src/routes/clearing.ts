import {
  BookCurves,
  bookCurves,
  Commodity,
  CommunityId,
  Fill,
  HouseholdId,
  SlotResult,
  TimeRange,
  UtcInstant,
} from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { HubEvents } from "../app.js";
import { requireHousehold, requireOperator, requirePrincipal } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { optionalPage } from "../http/paging.js";
import { errorResponses, security } from "../http/route-schemas.js";
import { actorOf, audit } from "../services/audit.js";
import { clearSlot, listFills, listResults } from "../services/clearing.js";
import { getCommunity } from "../services/communities.js";
import { slotOrders } from "../services/orders.js";

const C = z.object({ communityId: CommunityId });

export async function clearingRoutes(
  app: FastifyInstance,
  { ctx, events }: { ctx: HubContext; events: HubEvents },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.post(
    "/api/communities/:communityId/clearings",
    {
      schema: {
        tags: ["clearing"],
        summary: "Clear a slot now (operators only); a slot clears once, later calls return its result",
        security,
        params: C,
        body: z.object({ slot: UtcInstant, commodity: Commodity.default("electricity") }),
        response: { 200: SlotResult, 201: SlotResult, ...errorResponses },
      },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      const { communityId } = req.params;
      const cleared = await db.transaction(async (tx) => {
        const c = await clearSlot(tx, communityId, req.body.slot, req.body.commodity, ctx.now(), actorOf(op));
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
  );

  r.get(
    "/api/communities/:communityId/book",
    {
      schema: {
        tags: ["clearing"],
        summary: "The order book of a slot, aggregated into demand and supply curves (operators only)",
        security,
        params: C,
        querystring: z.object({ slot: UtcInstant, commodity: Commodity.default("electricity") }),
        response: { 200: BookCurves, ...errorResponses },
      },
    },
    async (req) => {
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
  );

  r.get(
    "/api/communities/:communityId/results",
    {
      schema: {
        tags: ["clearing"],
        summary: "Public clearing results (prices and volumes) by slot",
        security,
        params: C,
        querystring: TimeRange.safeExtend({ commodity: Commodity.default("electricity") }),
        response: { 200: z.array(SlotResult), ...errorResponses },
      },
    },
    async (req, reply) => {
      requirePrincipal(req);
      const { from, to, empty } = optionalPage(req, reply, req.query);
      if (empty) return [];
      return listResults(db, req.params.communityId, { commodity: req.query.commodity, from, to });
    },
  );

  r.get(
    "/api/communities/:communityId/households/:householdId/fills",
    {
      schema: {
        tags: ["clearing"],
        summary: "A household's own fills (private)",
        security,
        params: C.extend({ householdId: HouseholdId }),
        querystring: TimeRange,
        response: { 200: z.array(Fill), ...errorResponses },
      },
    },
    async (req, reply) => {
      requireHousehold(req, req.params.communityId, req.params.householdId);
      const { from, to, empty } = optionalPage(req, reply, req.query);
      if (empty) return [];
      return listFills(db, req.params.communityId, req.params.householdId, from, to);
    },
  );
}
