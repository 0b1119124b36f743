import { type Commodity, SlotResult } from "@openlem/protocol";
import type { Queryable } from "../db/database.js";
import { byHousehold, type ClearedSlot, clearingTrigger } from "./clearing.js";
import { loadFills } from "./results.js";

/*
 * The outbox: a clearing's row says whether its MQTT messages are out (published_at), so a
 * clearing committed by a hub that died before publishing goes out when a hub starts again.
 */

/** Clearings whose MQTT messages are not out yet (oldest first): the outbox. */
export async function unpublishedClearings(db: Queryable, limit = 100): Promise<ClearedSlot[]> {
  const rows = await db.query<{
    community_id: string;
    slot: Date;
    commodity: Commodity;
    result: unknown;
    triggered_by: string;
  }>(
    `SELECT community_id, slot, commodity, result, triggered_by FROM market.clearings
      WHERE published_at IS NULL ORDER BY slot LIMIT $1`,
    [limit],
  );
  const out: ClearedSlot[] = [];
  for (const r of rows) {
    const slot = r.slot.toISOString();
    const fills = await loadFills(db, r.community_id, {
      from: slot,
      to: new Date(r.slot.getTime() + 1).toISOString(),
      commodity: r.commodity,
    });
    out.push({
      result: SlotResult.parse(r.result),
      created: true,
      fillsByHousehold: byHousehold(
        fills.map((x) => x.fill),
        slot,
      ),
      triggeredBy: clearingTrigger(r.triggered_by),
    });
  }
  return out;
}

/** A clearing's MQTT messages are out. */
export async function markPublished(db: Queryable, cleared: ClearedSlot, at: Date): Promise<void> {
  await db.query(
    "UPDATE market.clearings SET published_at = $4 WHERE community_id = $1 AND slot = $2 AND commodity = $3",
    [cleared.result.communityId, cleared.result.slot, cleared.result.commodity, at],
  );
}
