import { hubApi } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { householdOnly, requireHousehold } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { routeOf } from "../http/route-schemas.js";
import { actorOf, audit } from "../services/audit.js";
import { getCommunity } from "../services/communities.js";
import { listPreferences, setPreference } from "../services/preferences.js";

export async function preferenceRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.route({
    ...routeOf(hubApi.setPreference),
    ...householdOnly,
    handler: async (req) => {
      const { communityId, householdId } = req.params;
      const p = requireHousehold(req, communityId, householdId);
      const { market } = await getCommunity(db, communityId);
      return db.transaction(async (tx) => {
        const saved = await setPreference({ db: tx, communityId, householdId, market, now: ctx.now() }, req.body);
        await audit(tx, actorOf(p), "preference.set", { communityId, householdId, preference: saved });
        return saved;
      });
    },
  });

  r.route({
    ...routeOf(hubApi.listPreferences),
    ...householdOnly,
    handler: async (req) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      return (await listPreferences(db, communityId, { householdId })).map((x) => x.preference);
    },
  });
}
