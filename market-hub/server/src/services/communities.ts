import { type Community, MarketConfig, storedCommunityId } from "@openlem/protocol";
import type { Queryable } from "../db/database.js";
import { Problem } from "../http/problem.js";

interface Row {
  id: string;
  name: string;
  config: unknown;
}

const toCommunity = (r: Row): Community => ({
  id: storedCommunityId(r.id),
  name: r.name,
  market: MarketConfig.parse(r.config),
});

export async function getCommunity(db: Queryable, id: string): Promise<Community> {
  const [row] = await db.query<Row>("SELECT id, name, config FROM market.communities WHERE id = $1", [id]);
  if (!row) throw Problem.notFound(`no community ${id}; GET /api/communities lists them`);
  return toCommunity(row);
}

export async function listCommunities(db: Queryable): Promise<Community[]> {
  return (await db.query<Row>("SELECT id, name, config FROM market.communities ORDER BY id")).map(toCommunity);
}

/** `now` is the hub's clock: the scheduler clears slots from the community's creation on. */
export async function createCommunity(db: Queryable, c: Community, now: Date): Promise<Community> {
  const rows = await db.query<Row>(
    `INSERT INTO market.communities (id, name, config, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING id, name, config`,
    [c.id, c.name, JSON.stringify(c.market), now],
  );
  if (!rows[0]) throw Problem.conflict(`community ${c.id} exists`, [{ field: "id", rule: "is taken" }]);
  return toCommunity(rows[0]);
}

export async function updateMarket(db: Queryable, id: string, market: MarketConfig): Promise<Community> {
  const rows = await db.query<Row>(
    "UPDATE market.communities SET config = $2 WHERE id = $1 RETURNING id, name, config",
    [id, JSON.stringify(market)],
  );
  if (!rows[0]) throw Problem.notFound(`no community ${id}`);
  return toCommunity(rows[0]);
}

/** Creates the household if it does not exist yet (households are made on first use). */
export async function insertHousehold(db: Queryable, communityId: string, householdId: string): Promise<void> {
  await db.query("INSERT INTO market.households (community_id, id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
    communityId,
    householdId,
  ]);
}

/** The household's dense engine key; the household is created on first use. */
export async function ensureHousehold(db: Queryable, communityId: string, householdId: string): Promise<number> {
  await insertHousehold(db, communityId, householdId);
  const [row] = await db.query<{ key: number }>(
    "SELECT key FROM market.households WHERE community_id = $1 AND id = $2",
    [communityId, householdId],
  );
  if (!row) throw new Error(`household ${communityId}/${householdId} vanished`);
  return row.key;
}

const RULES_TTL_MS = 2000;
const rulesCache = new WeakMap<Queryable, Map<string, { at: number; community: Promise<Community> }>>();

/**
 * The community as order intake sees it: cached for two seconds per database handle, so a
 * busy intake does not read the same rules for every order. A change of market rules
 * applies to new orders within those two seconds.
 */
export function getCommunityForIntake(db: Queryable, id: string): Promise<Community> {
  let cache = rulesCache.get(db);
  if (!cache) {
    cache = new Map();
    rulesCache.set(db, cache);
  }
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < RULES_TTL_MS) return hit.community;
  const community = getCommunity(db, id);
  cache.set(id, { at: Date.now(), community });
  community.catch(() => cache?.delete(id));
  return community;
}
