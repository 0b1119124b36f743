import { randomInt } from "node:crypto";
import type { Meter, MeterRegistration } from "@openlem/protocol";
import { storedCommunityId, storedHouseholdId } from "@openlem/protocol";
import { DUMMY_HASH, hashPassword, verifyPassword } from "../auth/passwords.js";
import type { Queryable } from "../db/database.js";
import { Problem, refusal } from "../http/problem.js";
import { ensureHousehold } from "./communities.js";

interface Row {
  id: string;
  community_id: string;
  household_id: string;
  registers: Meter["registers"];
  source: Meter["source"];
  linked_user_id: number | null;
}

const toMeter = (r: Row): Meter => ({
  meterId: r.id,
  communityId: storedCommunityId(r.community_id),
  householdId: storedHouseholdId(r.household_id),
  registers: r.registers,
  source: r.source,
  linked: r.linked_user_id !== null,
});

/** Wrong PINs a meter takes, from all accounts together, before it waits for a new PIN. */
export const METER_PIN_GUESSES = 10;

const COLUMNS = "id, community_id, household_id, registers, source, linked_user_id";

/** Registers a meter and returns it with its PIN, which is stored only as a hash. */
export async function registerMeter(
  db: Queryable,
  communityId: string,
  m: MeterRegistration,
): Promise<Meter & { pin: string }> {
  await ensureHousehold(db, communityId, m.householdId);
  const pin = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const rows = await db.query<Row>(
    `INSERT INTO market.meters (id, community_id, household_id, registers, source, pin_hash)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
    [m.meterId, communityId, m.householdId, m.registers, m.source, await hashPassword(pin)],
  );
  if (!rows[0])
    throw Problem.conflict(`meter ${m.meterId} is registered already`, [{ field: "meterId", rule: "is taken" }]);
  return { ...toMeter(rows[0]), pin };
}

/**
 * A new PIN for a meter nobody has linked yet (the old one stops working); null when the meter
 * is linked already, or unknown.
 */
export async function issuePin(
  db: Queryable,
  communityId: string,
  meterId: string,
): Promise<(Meter & { pin: string }) | null> {
  const pin = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const rows = await db.query<Row>(
    `UPDATE market.meters SET pin_hash = $3, pin_failures = 0
      WHERE id = $1 AND community_id = $2 AND linked_user_id IS NULL
     RETURNING ${COLUMNS}`,
    [meterId, communityId, await hashPassword(pin)],
  );
  return rows[0] ? { ...toMeter(rows[0]), pin } : null;
}

export async function listMeters(db: Queryable, communityId: string, householdIds?: string[]): Promise<Meter[]> {
  const rows = householdIds
    ? await db.query<Row>(
        `SELECT ${COLUMNS} FROM market.meters WHERE community_id = $1 AND household_id = ANY($2) ORDER BY id`,
        [communityId, householdIds],
      )
    : await db.query<Row>(`SELECT ${COLUMNS} FROM market.meters WHERE community_id = $1 ORDER BY id`, [communityId]);
  return rows.map(toMeter);
}

/**
 * Links a meter to a user with the meter's id and PIN. The user becomes a participant of the
 * meter's household. An unknown meter and a wrong PIN get the same answer in the same time (a
 * PIN hash is checked either way). Guesses are limited twice: per account by the caller
 * (AccessGuards), and per meter here, across every account: after `METER_PIN_GUESSES` wrong
 * PINs the meter takes none, the right one included, until the operator issues a new PIN. A
 * meter (or household) linked to another account answers the same whatever the PIN, so the
 * answer never confirms a PIN. A refusal is returned, not thrown, so that the caller commits
 * first (the failure count with it).
 */
export async function linkMeter(db: Queryable, userId: number, meterId: string, pin: string): Promise<Meter | Problem> {
  const [m] = await db.query<Row & { pin_hash: string; pin_failures: number }>(
    `SELECT ${COLUMNS}, pin_hash, pin_failures FROM market.meters WHERE id = $1 FOR UPDATE`,
    [meterId],
  );
  const right = await verifyPassword(pin, m?.pin_hash ?? DUMMY_HASH);
  if (m && m.linked_user_id !== null && m.linked_user_id !== userId)
    return Problem.conflict("this meter is linked to another account; the operator can unlink it");
  const [household] = m
    ? await db.query<{ user_id: number | null }>(
        "SELECT user_id FROM market.households WHERE community_id = $1 AND id = $2",
        [m.community_id, m.household_id],
      )
    : [];
  if (household?.user_id != null && household.user_id !== userId)
    return Problem.conflict("this meter's household belongs to another account; the operator can unlink it");
  if (m && m.pin_failures >= METER_PIN_GUESSES)
    return Problem.unprocessable(
      `this meter's PIN took ${METER_PIN_GUESSES} wrong guesses and no longer works: ask the community's operator for a new PIN`,
      [refusal("pin-not-locked", "pin", "is locked: ask the operator for a new PIN")],
    );
  if (!m || !right) {
    if (m) await db.query("UPDATE market.meters SET pin_failures = pin_failures + 1 WHERE id = $1", [meterId]);
    return Problem.unprocessable("the meter id or the PIN is wrong", [
      refusal("pin-matches", "pin", "does not match the meter"),
    ]);
  }
  await db.query("UPDATE market.meters SET pin_failures = 0 WHERE id = $1", [meterId]);
  await db.query("UPDATE market.meters SET linked_user_id = $2 WHERE id = $1", [meterId, userId]);
  await db.query("UPDATE market.households SET user_id = $3 WHERE community_id = $1 AND id = $2", [
    m.community_id,
    m.household_id,
    userId,
  ]);
  await db.query("UPDATE auth.users SET role = 'participant' WHERE id = $1 AND role = 'observer'", [userId]);
  return { ...toMeter(m), linked: true };
}

/** The operator unlinks a meter; the household keeps its account link while another meter links it. */
export async function unlinkMeter(db: Queryable, communityId: string, meterId: string): Promise<Meter> {
  const rows = await db.query<Row>(
    `UPDATE market.meters SET linked_user_id = NULL WHERE id = $1 AND community_id = $2 RETURNING ${COLUMNS}`,
    [meterId, communityId],
  );
  const m = rows[0];
  if (!m) throw Problem.notFound(`no meter ${meterId} in community ${communityId}`);
  await db.query(
    `UPDATE market.households h SET user_id = NULL
      WHERE h.community_id = $1 AND h.id = $2
        AND NOT EXISTS (SELECT 1 FROM market.meters x WHERE x.community_id = h.community_id
                        AND x.household_id = h.id AND x.linked_user_id IS NOT NULL)`,
    [communityId, m.household_id],
  );
  return toMeter(m);
}
