import { CommunityId, HouseholdId, StandingPreference } from "@openlem/protocol";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireHousehold } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { errorResponses, security } from "../http/route-schemas.js";
import { actorOf, audit } from "../services/audit.js";
import { getCommunity } from "../services/communities.js";
import { listPreferences, setPreference } from "../services/preferences.js";

const CH = z.object({ communityId: CommunityId, householdId: HouseholdId });
const path = "/api/communities/:communityId/households/:householdId/preferences";

export async function preferenceRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx;

  r.put(
    path,
    {
      schema: {
        tags: ["orders"],
        summary: "Set the household's standing price preference for a commodity (ex-post mode)",
        security,
        params: CH,
        body: StandingPreference,
        response: { 200: StandingPreference, ...errorResponses },
      },
    },
    async (req) => {
      const { communityId, householdId } = req.params;
      const p = requireHousehold(req, communityId, householdId);
      const { market } = await getCommunity(db, communityId);
      return db.transaction(async (tx) => {
        const saved = await setPreference(tx, communityId, householdId, req.body, market, ctx.now());
        await audit(tx, actorOf(p), "preference.set", { communityId, householdId, preference: saved });
        return saved;
      });
    },
  );

  r.get(
    path,
    {
      schema: {
        tags: ["orders"],
        summary: "The household's standing price preferences",
        security,
        params: CH,
        response: { 200: z.array(StandingPreference), ...errorResponses },
      },
    },
    async (req) => {
      const { communityId, householdId } = req.params;
      requireHousehold(req, communityId, householdId);
      return (await listPreferences(db, communityId, { householdId })).map((x) => x.preference);
    },
  );
}
