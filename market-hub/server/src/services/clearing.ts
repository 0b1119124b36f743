import {
  type BookOrder,
  clear,
  type EngineFill,
  marketParams,
  toBookOrder,
  toSlotResult,
  toWireFill,
} from "@openlem/engine";
import {
  type Commodity,
  type CommunityId,
  type Fill,
  gateClosesAt,
  type HouseholdId,
  isGateClosed,
  type MarketConfig,
  OrderInput,
  type OrderStatus,
  SlotResult,
  slotMs,
  storedCommunityId,
  storedHouseholdId,
} from "@openlem/protocol";
import type { Queryable } from "../db/database.js";
import { Problem } from "../http/problem.js";
import { meteredSlots } from "../readings/store.js";
import type { Actor } from "./audit.js";
import { getCommunity } from "./communities.js";
import { insertOrders, storedOrder } from "./orders.js";
import { listPreferences } from "./preferences.js";

export interface ClearedSlot {
  result: SlotResult;
  /** false when the slot had been cleared before (the stored result is returned). */
  created: boolean;
  /** Each household's fills, for their private topics. */
  fillsByHousehold: Map<HouseholdId, Fill[]>;
  triggeredBy: ClearingTrigger;
}

/** What cleared a slot: the scheduler at gate closure, or an operator by hand. */
export type ClearingTrigger = "scheduler" | Actor;

/** A stored `triggered_by`, read back as what it is. */
export function clearingTrigger(stored: string): ClearingTrigger {
  if (stored === "scheduler" || /^(user|device):\d+$/.test(stored)) return stored as ClearingTrigger;
  throw new Error(`a clearing says it was triggered by ${JSON.stringify(stored)}, which no part of the hub writes`);
}

/**
 * Clears one slot of one commodity exactly once. The transaction takes an advisory lock on
 * the slot and the clearings table's primary key refuses a second result, so several hub
 * processes sharing one database never clear a slot twice.
 */
export async function clearSlot(
  db: Queryable,
  {
    communityId,
    slot,
    commodity,
    now,
    triggeredBy,
  }: { communityId: CommunityId; slot: string; commodity: Commodity; now: Date; triggeredBy: ClearingTrigger },
): Promise<ClearedSlot> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`openlem:clear:${communityId}:${slot}:${commodity}`]);
  const [done] = await db.query<{ result: unknown }>(
    "SELECT result FROM market.clearings WHERE community_id = $1 AND slot = $2 AND commodity = $3",
    [communityId, slot, commodity],
  );
  if (done) return { result: SlotResult.parse(done.result), created: false, fillsByHousehold: new Map(), triggeredBy };

  const { market } = await getCommunity(db, communityId);
  if (market.mode === "ex-post") {
    const ends = Date.parse(slot) + slotMs(market.slotMinutes);
    if (now.getTime() < ends) {
      throw Problem.conflict(
        `slot ${slot} is delivered at ${new Date(ends).toISOString()}; an ex-post market clears after that`,
      );
    }
    await exPostOrders(db, { communityId, market, slot, commodity, now });
  } else {
    if (!isGateClosed(slot, market, now.getTime())) {
      throw Problem.conflict(`the gate for slot ${slot} closes at ${gateClosesAt(slot, market)}; clear it after that`);
    }
  }
  const rows = await db.query<{ id: number; household_id: string; body: unknown; key: number; energy_wh: number }>(
    `SELECT o.id, o.household_id, o.body, o.energy_wh, h.key
       FROM market.orders o JOIN market.households h ON h.community_id = o.community_id AND h.id = o.household_id
      WHERE o.community_id = $1 AND o.slot = $2 AND o.commodity = $3 AND o.status IN ('open', 'partially-filled')`,
    [communityId, slot, commodity],
  );
  const book: BookOrder[] = rows.map((r) => ({
    ...toBookOrder(storedOrder(r.body), { id: String(r.id), seq: r.id, householdId: r.household_id }),
    householdKey: r.key,
  }));
  const params = marketParams(market, commodity);
  const outcome = clear({ market: params, orders: book, atMs: now.getTime() });
  const result = toSlotResult(outcome, { communityId, slot, clearedAt: now.toISOString(), tariff: params.tariff });

  await db.query(
    "INSERT INTO market.clearings (community_id, slot, commodity, cleared_at, triggered_by, result) VALUES ($1, $2, $3, $4, $5, $6)",
    [communityId, slot, commodity, now, triggeredBy, JSON.stringify(result)],
  );
  const f = outcome.fills;
  if (f.length > 0) {
    await db.query(
      `INSERT INTO market.fills (community_id, slot, commodity, order_id, step, household_id, side, counterparty, market,
                                 energy_wh, price_ticks, grid_fee_ticks, source)
       SELECT $1, $2, $3, * FROM unnest($4::bigint[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[],
                                        $10::bigint[], $11::bigint[], $12::bigint[], $13::text[])`,
      [
        communityId,
        slot,
        commodity,
        f.map((x) => Number(x.orderId)),
        f.map((x) => x.step),
        f.map((x) => x.householdId),
        f.map((x) => x.side),
        f.map((x) => x.counterparty),
        f.map((x) => x.market),
        f.map((x) => x.energyWh),
        f.map((x) => x.priceTicks),
        f.map((x) => x.gridFeeTicks),
        f.map((x) => x.source),
      ],
    );
  }
  // The final clearing settles every order of the slot: filled, partly filled, or expired.
  const filled = new Map<number, number>();
  for (const x of f) filled.set(Number(x.orderId), (filled.get(Number(x.orderId)) ?? 0) + x.energyWh);
  const statusOf = (id: number, energy: number): OrderStatus => {
    const got = filled.get(id) ?? 0;
    return got >= energy ? "filled" : got > 0 ? "partially-filled" : "expired";
  };
  if (rows.length > 0) {
    await db.query(
      `UPDATE market.orders o SET filled_wh = o.filled_wh + v.filled, status = v.status
         FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS v(id, filled, status) WHERE o.id = v.id`,
      [rows.map((r) => r.id), rows.map((r) => filled.get(r.id) ?? 0), rows.map((r) => statusOf(r.id, r.energy_wh))],
    );
  }
  return { result, created: true, fillsByHousehold: byHousehold(f, slot), triggeredBy };
}

/** A slot's fills as each household's private trades message carries them. */
export function byHousehold(fills: readonly EngineFill[], slot: string): Map<HouseholdId, Fill[]> {
  const out = new Map<HouseholdId, Fill[]>();
  for (const x of fills) {
    const id = storedHouseholdId(x.householdId);
    const list = out.get(id) ?? [];
    list.push(toWireFill(x, slot));
    out.set(id, list);
  }
  return out;
}

/**
 * Ex-post mode (the Landau microgrid): each household with a standing preference takes part
 * with its metered net energy of the slot, buying at its maximum buy price (the price cap if
 * it set none) or selling at its minimum sell price (the floor if none). The orders are stored
 * like any other, so fills, statements and the audit trail work the same way.
 */
async function exPostOrders(
  db: Queryable,
  {
    communityId,
    market,
    slot,
    commodity,
    now,
  }: { communityId: string; market: MarketConfig; slot: string; commodity: Commodity; now: Date },
): Promise<void> {
  const prefs = await listPreferences(db, communityId, { commodity });
  if (prefs.length === 0) return;
  const ends = new Date(Date.parse(slot) + slotMs(market.slotMinutes)).toISOString();
  const metered = new Map(
    (await meteredSlots(db, communityId, slot, ends, market.slotMinutes)).map((m) => [
      m.householdId,
      m.importWh - m.exportWh,
    ]),
  );
  for (const { householdId, preference: p } of prefs) {
    const net = metered.get(householdId) ?? 0;
    if (net === 0) continue;
    const order: OrderInput =
      net > 0
        ? {
            clientOrderId: `ex-post:${slot}:${commodity}`,
            side: "buy",
            commodity,
            slot,
            energyWh: net,
            limitPrice: p.maxBuyPrice ?? market.priceCap,
            ...(p.sourceLimits ? { sourceLimits: p.sourceLimits } : {}),
          }
        : {
            clientOrderId: `ex-post:${slot}:${commodity}`,
            side: "sell",
            commodity,
            slot,
            energyWh: -net,
            limitPrice: p.minSellPrice ?? market.priceFloor,
            source: p.source,
          };
    // checked by the preference's own rules, not as an order: its gate closed long ago
    await insertOrders(
      db,
      { communityId: storedCommunityId(communityId), householdId: storedHouseholdId(householdId) },
      [OrderInput.parse(order)],
      now,
    );
  }
}
