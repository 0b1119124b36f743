import type { Queryable } from "../db/database.js";

/**
 * The latest market time this database has seen: the clock a scheduler last ticked at, its
 * newest reading and its latest cleared slot. A hub whose market clock runs fast (`--speed`)
 * starts no earlier than this, so its clock never runs back across a restart (slots cleared
 * twice, readings at times already taken).
 */
export async function lastMarketTimeMs(db: Queryable): Promise<number | null> {
  const [row] = await db.query<{ ticked: Date | null; readings: Date | null; clearings: Date | null }>(
    `SELECT (SELECT at FROM market.clock) AS ticked, (SELECT max(at) FROM market.readings) AS readings,
            (SELECT max(slot) FROM market.clearings) AS clearings`,
  );
  const times = [row?.ticked, row?.readings, row?.clearings]
    .filter((d): d is Date => d instanceof Date)
    .map((d) => d.getTime());
  return times.length > 0 ? Math.max(...times) : null;
}

/** Records the market time a scheduler ticked at; the clock kept only moves forward. */
export async function recordMarketTime(db: Queryable, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO market.clock (id, at) VALUES (true, $1)
     ON CONFLICT (id) DO UPDATE SET at = GREATEST(market.clock.at, EXCLUDED.at)`,
    [now],
  );
}
