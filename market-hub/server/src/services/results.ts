import { type EngineFill, toWireFill } from "@openlem/engine";
import {
  type Commodity,
  type CommunityId,
  type Fill,
  type HouseholdId,
  MAX_LISTED,
  SlotResult,
} from "@openlem/protocol";
import type { Queryable } from "../db/database.js";

/* Reading what clearing stored: public results and the fills behind statements and trades. */

export interface ResultFilter {
  commodity: Commodity;
  from?: string | undefined;
  to?: string | undefined;
}

export async function listResults(db: Queryable, communityId: string, f: ResultFilter): Promise<SlotResult[]> {
  const rows = await db.query<{ result: unknown }>(
    `SELECT result FROM market.clearings
      WHERE community_id = $1 AND commodity = $2
        AND ($3::timestamptz IS NULL OR slot >= $3) AND ($4::timestamptz IS NULL OR slot < $4)
      ORDER BY slot DESC LIMIT ${MAX_LISTED.results}`,
    [communityId, f.commodity, f.from ?? null, f.to ?? null],
  );
  return rows.map((r) => SlotResult.parse(r.result)).reverse();
}

/** The community's latest cleared slot of each commodity. */
export async function latestResults(db: Queryable, communityId: string): Promise<SlotResult[]> {
  const rows = await db.query<{ result: unknown }>(
    `SELECT DISTINCT ON (commodity) result FROM market.clearings
      WHERE community_id = $1 ORDER BY commodity, slot DESC`,
    [communityId],
  );
  return rows.map((r) => SlotResult.parse(r.result));
}

/** A guard on one read of fills for settlement: a month of a 1,000-household community is far below it. */
const FILLS_READ_LIMIT = 1_000_000;

/** Fills in engine form with their slot, for one household or the whole community, in [from, to). */
export async function loadFills(
  db: Queryable,
  communityId: string,
  f: {
    householdId?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    commodity?: Commodity | undefined;
  },
  limit = FILLS_READ_LIMIT,
): Promise<{ slot: string; fill: EngineFill }[]> {
  const rows = await db.query<{
    order_id: number;
    step: number;
    household_id: string;
    slot: Date;
    commodity: Commodity;
    market: Fill["market"];
    side: Fill["side"];
    counterparty: Fill["counterparty"];
    energy_wh: number;
    price_ticks: number;
    grid_fee_ticks: number;
    source: Fill["source"];
  }>(
    `SELECT order_id, step, household_id, slot, commodity, market, side, counterparty, energy_wh, price_ticks, grid_fee_ticks, source
       FROM market.fills
      WHERE community_id = $1 AND ($2::text IS NULL OR household_id = $2)
        AND ($3::timestamptz IS NULL OR slot >= $3) AND ($4::timestamptz IS NULL OR slot < $4)
        AND ($5::text IS NULL OR commodity = $5)
      ORDER BY slot, id LIMIT ${limit}`,
    [communityId, f.householdId ?? null, f.from ?? null, f.to ?? null, f.commodity ?? null],
  );
  return rows.map((r) => ({
    slot: r.slot.toISOString(),
    fill: {
      orderId: String(r.order_id),
      step: r.step,
      householdId: r.household_id,
      side: r.side,
      commodity: r.commodity,
      market: r.market,
      counterparty: r.counterparty,
      energyWh: r.energy_wh,
      priceTicks: r.price_ticks,
      gridFeeTicks: r.grid_fee_ticks,
      source: r.source,
    },
  }));
}

export async function listFills(
  db: Queryable,
  communityId: CommunityId,
  householdId: HouseholdId,
  from: string | undefined,
  to: string | undefined,
): Promise<Fill[]> {
  return (await loadFills(db, communityId, { householdId, from, to }, MAX_LISTED.fills)).map((x) =>
    toWireFill(x.fill, x.slot),
  );
}
