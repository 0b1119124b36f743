import type { DeviceToken, TokenScope } from "@openlem/protocol";
import { storedCommunityId, storedHouseholdId, TOKEN_PREFIX } from "@openlem/protocol";
import { newOpaqueToken } from "../auth/tokens.js";
import type { Queryable } from "../db/database.js";
import { Problem } from "../http/problem.js";

interface Row {
  id: number;
  community_id: string;
  household_id: string;
  name: string;
  scope: TokenScope;
  created_at: Date;
  revoked_at: Date | null;
}
const COLUMNS = "id, community_id, household_id, name, scope, created_at, revoked_at";
const toToken = (r: Row): DeviceToken => ({
  id: r.id,
  communityId: storedCommunityId(r.community_id),
  householdId: storedHouseholdId(r.household_id),
  name: r.name,
  scope: r.scope,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/**
 * A token for one household's devices, or (scope `read`) for reading its data only, or (scope
 * `home-assistant`) for Home Assistant's MQTT login; the plain token is returned once and only
 * its hash kept.
 */
export async function createDeviceToken(
  db: Queryable,
  communityId: string,
  householdId: string,
  name: string,
  createdBy: number,
  scope: TokenScope = "device",
): Promise<DeviceToken & { token: string }> {
  const { token, hash } = newOpaqueToken(TOKEN_PREFIX[scope]);
  const [row] = await db.query<Row>(
    `INSERT INTO auth.device_tokens (community_id, household_id, name, token_hash, created_by, scope)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [communityId, householdId, name, hash, createdBy, scope],
  );
  if (!row) throw new Error("device token insert returned nothing");
  return { ...toToken(row), token };
}

export async function listDeviceTokens(
  db: Queryable,
  communityId: string,
  householdId: string,
): Promise<DeviceToken[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM auth.device_tokens WHERE community_id = $1 AND household_id = $2 ORDER BY id`,
    [communityId, householdId],
  );
  return rows.map(toToken);
}

export async function getDeviceToken(db: Queryable, id: number): Promise<DeviceToken> {
  const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM auth.device_tokens WHERE id = $1`, [id]);
  if (!row) throw Problem.notFound(`no device token ${id}`);
  return toToken(row);
}

export async function revokeDeviceToken(db: Queryable, id: number, now: Date): Promise<DeviceToken> {
  const [row] = await db.query<Row>(
    `UPDATE auth.device_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, now],
  );
  if (!row) throw Problem.notFound(`no device token ${id}`);
  return toToken(row);
}
