import { type Commodity, fieldPath, StandingPreference } from "@openlem/protocol";
import type { Queryable } from "../db/database.js";
import { Problem, refusal } from "../http/problem.js";
import { insertHousehold } from "./communities.js";
import type { OrderScope } from "./orders.js";

/** Sets a household's standing preference for a commodity; prices must lie between floor and cap. */
export async function setPreference(scope: OrderScope, p: StandingPreference): Promise<StandingPreference> {
  const { db, communityId, householdId, market, now } = scope;
  const problems = (["maxBuyPrice", "minSellPrice"] as const)
    .filter((k) => p[k] !== null && ((p[k] ?? 0) < market.priceFloor || (p[k] ?? 0) > market.priceCap))
    .map((k) =>
      refusal(
        "price-within-bounds",
        fieldPath([k]),
        `must lie between the price floor ${market.priceFloor} and cap ${market.priceCap}`,
      ),
    );
  if (problems.length > 0)
    throw Problem.unprocessable("the market refuses this preference; the old one stands", problems);
  await insertHousehold(db, communityId, householdId);
  await db.query(
    `INSERT INTO market.preferences (community_id, household_id, commodity, body, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (community_id, household_id, commodity) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at`,
    [communityId, householdId, p.commodity, JSON.stringify(p), now],
  );
  return p;
}

export async function listPreferences(
  db: Queryable,
  communityId: string,
  filter: { householdId?: string; commodity?: Commodity },
): Promise<{ householdId: string; preference: StandingPreference }[]> {
  const rows = await db.query<{ household_id: string; body: unknown }>(
    `SELECT household_id, body FROM market.preferences
      WHERE community_id = $1 AND ($2::text IS NULL OR household_id = $2) AND ($3::text IS NULL OR commodity = $3)
      ORDER BY household_id, commodity`,
    [communityId, filter.householdId ?? null, filter.commodity ?? null],
  );
  return rows.map((r) => ({ householdId: r.household_id, preference: StandingPreference.parse(r.body) }));
}
