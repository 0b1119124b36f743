import { hubApi, localDateOf, periodOf } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { AccessGuards } from "../auth/guards.js";
import {
  actsFor,
  householdOnly,
  operatorsOnly,
  requireHousehold,
  requireOperator,
  requirePrincipal,
  requireUser,
} from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { answerPage } from "../http/paging.js";
import { Problem } from "../http/problem.js";
import { routeOf } from "../http/route-schemas.js";
import { meteredSlots, storeReadings } from "../readings/store.js";
import { actorOf, audit } from "../services/audit.js";
import { getCommunity } from "../services/communities.js";
import { issuePin, linkMeter, listMeters, registerMeter, unlinkMeter } from "../services/meters.js";

/** Meters: registering, linking with the PIN (under the account's PIN throttle), readings and metered energy. */
export async function meterRoutes(
  app: FastifyInstance,
  { ctx, guards }: { ctx: HubContext; guards: AccessGuards },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.registerMeter),
    ...operatorsOnly,
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
    ...operatorsOnly,
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
    ...routeOf(hubApi.issueMeterPin),
    ...operatorsOnly,
    handler: async (req) => {
      const op = requireOperator(req);
      const { communityId, meterId } = req.params;
      return db.transaction(async (tx) => {
        const m = await issuePin(tx, communityId, meterId);
        if (!m) {
          const known = (await listMeters(tx, communityId)).find((x) => x.meterId === meterId);
          if (!known) throw Problem.notFound(`no meter ${meterId} in community ${communityId}`);
          throw Problem.conflict(`meter ${meterId} is linked: unlink it first, then issue a new PIN`);
        }
        await audit(tx, actorOf(op), "meter.pin", { meterId });
        return m;
      });
    },
  });

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
    ...householdOnly,
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
}
