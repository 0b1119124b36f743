import { hubApi, localDateOf, periodOf } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { householdOnly, requireHousehold, requirePrincipal } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { routeOf } from "../http/route-schemas.js";
import { getCommunity } from "../services/communities.js";
import { communityKpis, householdStatement } from "../services/settlement.js";

export async function settlementRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.statement),
    ...householdOnly,
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
