import {
  CommunityId,
  HouseholdId,
  Kpis,
  LocalDate,
  localDateOf,
  PeriodKind,
  periodOf,
  ReadingBatch,
  SlotEnergy,
  Statement,
  TimeRange,
} from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actsFor, requireHousehold, requirePrincipal } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { answerPage } from "../http/paging.js";
import { errorResponses, security } from "../http/route-schemas.js";
import { meteredSlots, storeReadings } from "../readings/store.js";
import { getCommunity } from "../services/communities.js";
import { communityKpis, householdStatement } from "../services/settlement.js";

const C = z.object({ communityId: CommunityId });
const PeriodQuery = z.object({
  period: PeriodKind.default("day"),
  /** A local date in the community's time zone; default today. */
  date: LocalDate.optional(),
});

export async function settlementRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.post(
    "/api/communities/:communityId/readings",
    {
      schema: {
        tags: ["meters"],
        summary: "Report meter readings (cumulative registers); a reading sent twice counts once",
        security,
        params: C,
        body: ReadingBatch,
        response: { 200: z.object({ accepted: z.number().int(), duplicates: z.number().int() }), ...errorResponses },
      },
    },
    async (req) => {
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
  );

  r.get(
    "/api/communities/:communityId/households/:householdId/energy",
    {
      schema: {
        tags: ["meters"],
        summary:
          "The household's metered energy per slot, with estimated and register-reset flags (default: today; at most 32 days an answer, Link rel=next for more)",
        security,
        params: C.extend({ householdId: HouseholdId }),
        querystring: TimeRange,
        response: { 200: z.array(SlotEnergy), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      const { market } = await getCommunity(db, communityId);
      const today = periodOf("day", localDateOf(ctx.now().toISOString(), market.timeZone), market.timeZone);
      const { from, to, empty } = answerPage(req, reply, req.query, today);
      if (empty) return [];
      const slots = await meteredSlots(db, communityId, from, to, market.slotMinutes, householdId);
      return slots.map(({ storage: _storage, ...e }) => e);
    },
  );

  r.get(
    "/api/communities/:communityId/households/:householdId/statement",
    {
      schema: {
        tags: ["settlement"],
        summary: "A household's statement for a day, week or month of the community's calendar",
        security,
        params: C.extend({ householdId: HouseholdId }),
        querystring: PeriodQuery,
        response: { 200: Statement, ...errorResponses },
      },
    },
    async (req) => {
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
  );

  r.get(
    "/api/communities/:communityId/kpis",
    {
      schema: {
        tags: ["settlement"],
        summary: "Community KPIs for a day, week or month (aggregates: readable by every account)",
        security,
        params: C,
        querystring: PeriodQuery,
        response: { 200: Kpis, ...errorResponses },
      },
    },
    async (req) => {
      requirePrincipal(req);
      const community = await getCommunity(db, req.params.communityId);
      const date = req.query.date ?? localDateOf(ctx.now().toISOString(), community.market.timeZone);
      return communityKpis(db, community, periodOf(req.query.period, date, community.market.timeZone));
    },
  );
}
