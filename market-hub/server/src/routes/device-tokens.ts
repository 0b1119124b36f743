import { hubApi } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { householdOnly, requireHousehold, requireUser } from "../auth/principal.js";
import { announceRevocation } from "../auth/revocations.js";
import type { HubContext } from "../context.js";
import { routeOf } from "../http/route-schemas.js";
import { actorOf, audit } from "../services/audit.js";
import { createDeviceToken, getDeviceToken, listDeviceTokens, revokeDeviceToken } from "../services/device-tokens.js";

/** A household's device tokens: made by its members, shown once, revoked at once everywhere. */
export async function deviceTokenRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.createDeviceToken),
    ...householdOnly,
    handler: async (req, reply) => {
      const user = requireUser(req);
      requireHousehold(req, req.params.communityId, req.params.householdId);
      const t = await db.transaction(async (tx) => {
        const created = await createDeviceToken(
          tx,
          req.params.communityId,
          req.params.householdId,
          req.body.name,
          user.userId,
          req.body.scope,
        );
        await audit(tx, actorOf(user), "device-token.create", {
          id: created.id,
          householdId: created.householdId,
          scope: created.scope,
        });
        return created;
      });
      return reply.status(201).send(t);
    },
  });

  r.route({
    ...routeOf(hubApi.listDeviceTokens),
    ...householdOnly,
    handler: async (req) => {
      requireUser(req);
      requireHousehold(req, req.params.communityId, req.params.householdId);
      return listDeviceTokens(db, req.params.communityId, req.params.householdId);
    },
  });

  r.route({
    ...routeOf(hubApi.revokeDeviceToken),
    handler: async (req) => {
      const user = requireUser(req);
      const t = await getDeviceToken(db, req.params.id);
      requireHousehold(req, t.communityId, t.householdId);
      const revoked = await revokeDeviceToken(db, t.id, ctx.wallNow());
      announceRevocation();
      await audit(db, actorOf(user), "device-token.revoke", { id: t.id });
      return revoked;
    },
  });
}
