import { hubApi, localDateOf, periodOf } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { actsFor, requireHousehold, requirePrincipal } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { answerPage } from "../http/paging.js";
import { routeOf } from "../http/route-schemas.js";
import { meteredSlots, storeReadings } from "../readings/store.js";
import { getCommunity } from "../services/communities.js";
import { communityKpis, householdStatement } from "../services/settlement.js";

export async function settlementRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.submitReadings),
    handler: async (req) => {
      const p = requirePrincipal(req);
      const { communityId } = req.params;
      await getCommunity(db, communityId);
      const out = await db.transaction((tx) =>
        storeReadings(tx, communityId, req.body.readings, {
          mayUse: (h) => actsFor(p, communityId, h),
          nowMs: ctx.now().getTime(),
        }),
      );
      ctx.metrics.readings.inc({ community: communityId, channel: "rest" }, out.accepted);
      return out;
    },
  });

  r.route({
    ...routeOf(hubApi.energy),
    handler: async (req, reply) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunity(db, communityId);
      const today = periodOf("day", localDateOf(ctx.now().toISOString(), market.timeZone), market.timeZone);
      const { from, to, empty } = answerPage(req, reply, req.query, today);
      if (empty) return [];
      const slots = await meteredSlots(db, communityId, from, to, market.slotMinutes, householdId);
      return slots.map(({ storage: _storage, ...e }) => e);
    },
  });

  r.route({
    ...routeOf(hubApi.statement),
    handler: async (req) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const community = await getCommunity(db, communityId);
      const date = req.query.date ?? localDateOf(ctx.now().toISOString(), community.market.timeZone);
      return householdStatement(
        db,
        community,
        householdId,
        periodOf(req.query.period, date, community.market.timeZone),
      );
    },
  });

  r.route({
    ...routeOf(hubApi.kpis),
    handler: async (req) => {
      requirePrincipal(req);
      const community = await getCommunity(db, req.params.communityId);
      const date = req.query.date ?? localDateOf(ctx.now().toISOString(), community.market.timeZone);
      return communityKpis(db, community, periodOf(req.query.period, date, community.market.timeZone));
    },
  });
}
