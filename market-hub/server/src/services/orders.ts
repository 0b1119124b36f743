import {
  type CommunityId,
  checkOrderForMarket,
  fieldPath,
  gateClosesAt,
  type HouseholdId,
  isGateClosed,
  MAX_LISTED,
  type MarketConfig,
  type Order,
  OrderInput,
  type OrderRecord,
  type OrderStatus,
  orderEnergyWh,
  storedHouseholdId,
} from "@openlem/protocol";
import type { HubContext } from "../context.js";
import type { Queryable } from "../db/database.js";
import { Problem, type Refusal, refusal } from "../http/problem.js";
import { getCommunityForIntake, insertHousehold } from "./communities.js";

interface Row {
  id: number;
  household_id: string;
  body: unknown;
  status: OrderStatus;
  filled_wh: number;
  submitted_at: Date;
}
const COLUMNS = "id, household_id, body, status, filled_wh, submitted_at";

function toRecordMeta(r: Row): Omit<OrderRecord, "order"> {
  return {
    id: String(r.id),
    householdId: storedHouseholdId(r.household_id),
    status: r.status,
    filledWh: r.filled_wh,
    submittedAt: r.submitted_at.toISOString(),
  };
}

/** An order as the orders table stores it (its `body` column, written from a parsed OrderInput). */
export function storedOrder(body: unknown): Order {
  return OrderInput.parse(body);
}

export function toRecord(r: Row): OrderRecord {
  return { ...toRecordMeta(r), order: storedOrder(r.body) };
}

/**
 * Orders are compared as stored: the same clientOrderId with the same content is the same
 * order. A parsed order's keys follow the schema, so its JSON is canonical as it is.
 */
const canonical = (o: Order) => JSON.stringify(o);

const knownHouseholds = new WeakMap<Queryable, Set<string>>();

/**
 * Households are never deleted, so once this database handle has seen one it need not insert
 * it again: one round trip less for every order after the first.
 */
async function ensureHouseholdOnce(db: Queryable, communityId: string, householdId: string): Promise<void> {
  let known = knownHouseholds.get(db);
  if (!known) {
    known = new Set();
    knownHouseholds.set(db, known);
  }
  const key = `${communityId}\u0000${householdId}`;
  if (known.has(key)) return;
  await insertHousehold(db, communityId, householdId);
  known.add(key);
}

/** What every change to a household's orders works in: its database handle, household, rules and time. */
export interface OrderScope {
  db: Queryable;
  communityId: CommunityId;
  householdId: HouseholdId;
  market: MarketConfig;
  now: Date;
}

export interface SubmitResult {
  records: OrderRecord[];
  /** false when every order was a replay of one already accepted (idempotent resubmission). */
  created: boolean;
}

/**
 * Accepts a batch of orders for one household, all or nothing: every order is checked against
 * the community's rules first, and one refusal refuses the batch with each field named
 * (`orders[3].slot`). Resubmitting an accepted order (same clientOrderId, same content) returns
 * the stored order; the same id with other content is a conflict.
 */
export async function submitOrders(
  scope: OrderScope,
  orders: Order[],
  prefix: (i: number) => (string | number)[],
): Promise<SubmitResult> {
  const { db, communityId, householdId, market, now } = scope;
  const problems: Refusal[] = [];
  const seen = new Map<string, number>();
  orders.forEach((o, i) => {
    for (const v of checkOrderForMarket(o, market, now.toISOString())) {
      problems.push(refusal(v.rule, fieldPath([...prefix(i), ...v.path]), v.message));
    }
    const first = seen.get(o.clientOrderId);
    if (first !== undefined) {
      problems.push(
        refusal(
          "client-order-id-once",
          fieldPath([...prefix(i), "clientOrderId"]),
          `repeats the one of order ${first}`,
        ),
      );
    }
    seen.set(o.clientOrderId, i);
  });
  problems.push(...(await clearedSlotProblems(db, communityId, orders, prefix)));
  if (problems.length > 0)
    throw Problem.unprocessable("the market refuses these orders; nothing was accepted", problems);

  await ensureHouseholdOnce(db, communityId, householdId);
  // One statement for the whole batch: the orders not seen before are inserted, the others
  // come back from the second query to be checked as replays.
  const bodies = orders.map(canonical);
  const inserted = await insertOrders(db, { communityId, householdId }, orders, now);
  const byClientId = new Map(inserted.map((r) => [r.client_order_id, r]));
  const replays = orders.filter((o) => !byClientId.has(o.clientOrderId)).map((o) => o.clientOrderId);
  const existing =
    replays.length === 0
      ? []
      : await db.query<Row & { client_order_id: string }>(
          `SELECT ${COLUMNS}, client_order_id FROM market.orders
            WHERE community_id = $1 AND household_id = $2 AND client_order_id = ANY($3)`,
          [communityId, householdId, replays],
        );
  const previous = new Map(existing.map((r) => [r.client_order_id, r]));
  const records: OrderRecord[] = [];
  for (const [i, o] of orders.entries()) {
    const fresh = byClientId.get(o.clientOrderId);
    if (fresh) {
      // The order in hand is what was stored; no need to parse it back.
      records.push({ ...toRecordMeta(fresh), order: o });
      continue;
    }
    const before = previous.get(o.clientOrderId);
    if (!before) throw new Error(`order ${o.clientOrderId} conflicted but is not there`);
    // jsonb reorders keys, so both sides go through the schema before they are compared.
    if (canonical(storedOrder(before.body)) !== bodies[i]) {
      throw Problem.conflict("this clientOrderId was used for a different order; nothing was accepted", [
        {
          field: fieldPath([...prefix(i), "clientOrderId"]),
          rule: `belongs to order ${before.id} with other content; use a new id, or PUT to replace that order`,
        },
      ]);
    }
    records.push(toRecord(before));
  }
  const created = inserted.length > 0;
  return { records, created };
}

/**
 * The one INSERT into the orders table, for orders already checked: those not seen before (by
 * clientOrderId) are stored, the others are left as they are and not returned.
 */
export function insertOrders(
  db: Queryable,
  { communityId, householdId }: { communityId: CommunityId; householdId: HouseholdId },
  orders: readonly Order[],
  now: Date,
): Promise<(Row & { client_order_id: string })[]> {
  return db.query<Row & { client_order_id: string }>(
    `INSERT INTO market.orders (community_id, household_id, client_order_id, slot, commodity, side, body, energy_wh, submitted_at)
     SELECT $1, $2, * , $9::timestamptz FROM unnest($3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::jsonb[], $8::bigint[])
     ON CONFLICT (community_id, household_id, client_order_id) DO NOTHING RETURNING ${COLUMNS}, client_order_id`,
    [
      communityId,
      householdId,
      orders.map((o) => o.clientOrderId),
      orders.map((o) => o.slot),
      orders.map((o) => o.commodity),
      orders.map((o) => o.side),
      orders.map(canonical),
      orders.map(orderEnergyWh),
      now,
    ],
  );
}

/**
 * Orders as they come in, by REST or by MQTT alike: the community's rules (cached for a few
 * seconds, see getCommunityForIntake), the batch checked and stored all or nothing in one INSERT
 * (atomic without an explicit transaction), and counted per channel.
 */
export async function intakeOrders(
  ctx: Pick<HubContext, "db" | "now" | "metrics">,
  household: { communityId: CommunityId; householdId: HouseholdId },
  orders: Order[],
  { channel, prefix }: { channel: "rest" | "mqtt"; prefix: (i: number) => (string | number)[] },
): Promise<SubmitResult> {
  const { market } = await getCommunityForIntake(ctx.db, household.communityId);
  const out = await submitOrders({ db: ctx.db, ...household, market, now: ctx.now() }, orders, prefix);
  if (out.created) ctx.metrics.orders.inc({ community: household.communityId, channel }, out.records.length);
  return out;
}

/**
 * A slot is cleared once: an order for a slot already cleared would stay open for ever, so it
 * is refused whatever the clock says (a clock set back, a replica behind, a restarted demo).
 */
async function clearedSlotProblems(
  db: Queryable,
  communityId: string,
  orders: readonly Order[],
  prefix: (i: number) => (string | number)[],
): Promise<Refusal[]> {
  const rows = await db.query<{ slot: Date; commodity: string; cleared_at: Date }>(
    `SELECT slot, commodity, cleared_at FROM market.clearings
      WHERE community_id = $1 AND slot = ANY($2::timestamptz[])`,
    [communityId, [...new Set(orders.map((o) => o.slot))]],
  );
  const cleared = new Map(rows.map((r) => [`${r.slot.toISOString()}|${r.commodity}`, r.cleared_at]));
  const out: Refusal[] = [];
  orders.forEach((o, i) => {
    const at = cleared.get(`${o.slot}|${o.commodity}`);
    if (at)
      out.push(
        refusal(
          "slot-not-cleared",
          fieldPath([...prefix(i), "slot"]),
          `was cleared already (at ${at.toISOString()}); bid for a later slot`,
        ),
      );
  });
  return out;
}

export interface OrderFilter {
  from?: string | undefined;
  to?: string | undefined;
  status?: OrderStatus | undefined;
}

export async function listOrders(
  db: Queryable,
  communityId: CommunityId,
  householdId: HouseholdId,
  f: OrderFilter,
): Promise<OrderRecord[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM market.orders
      WHERE community_id = $1 AND household_id = $2
        AND ($3::timestamptz IS NULL OR slot >= $3) AND ($4::timestamptz IS NULL OR slot < $4)
        AND ($5::text IS NULL OR status = $5)
      ORDER BY slot, id LIMIT ${MAX_LISTED.orders}`,
    [communityId, householdId, f.from ?? null, f.to ?? null, f.status ?? null],
  );
  return rows.map(toRecord);
}

async function openOrder({ db, communityId, householdId, market, now }: OrderScope, id: number) {
  const [row] = await db.query<Row & { slot: Date }>(
    `SELECT ${COLUMNS}, slot FROM market.orders WHERE community_id = $1 AND household_id = $2 AND id = $3 FOR UPDATE`,
    [communityId, householdId, id],
  );
  if (!row) throw Problem.notFound(`household ${householdId} has no order ${id}`);
  const slot = row.slot.toISOString();
  if (isGateClosed(slot, market, now.getTime())) {
    throw Problem.conflict(
      `the gate for this order's slot closed at ${gateClosesAt(slot, market)}; it can no longer change`,
    );
  }
  if (row.status !== "open") throw Problem.conflict(`the order is ${row.status}; only open orders change`);
  return row;
}

export async function cancelOrder(scope: OrderScope, id: number): Promise<OrderRecord> {
  const { db } = scope;
  await openOrder(scope, id);
  const [row] = await db.query<Row>(
    `UPDATE market.orders SET status = 'cancelled' WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  if (!row) throw new Error(`order ${id} vanished`);
  return toRecord(row);
}

/** Replaces an open order's content before gate closure; it keeps its id and its place in time. */
export async function replaceOrder(scope: OrderScope, id: number, order: Order): Promise<OrderRecord> {
  const { db, communityId, market, now } = scope;
  const current = await openOrder(scope, id);
  const problems = checkOrderForMarket(order, market, now.toISOString()).map((v) =>
    refusal(v.rule, fieldPath(v.path), v.message),
  );
  const currentClientId = storedOrder(current.body).clientOrderId;
  if (order.clientOrderId !== currentClientId) {
    problems.push(refusal("client-order-id-kept", "clientOrderId", `must stay ${currentClientId} when replacing`));
  }
  problems.push(...(await clearedSlotProblems(db, communityId, [order], () => [])));
  if (problems.length > 0) throw Problem.unprocessable("the market refuses this order; the old one stands", problems);
  const [row] = await db.query<Row>(
    `UPDATE market.orders SET body = $2, slot = $3, commodity = $4, side = $5, energy_wh = $6 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, canonical(order), order.slot, order.commodity, order.side, orderEnergyWh(order)],
  );
  if (!row) throw new Error(`order ${id} vanished`);
  return toRecord(row);
}

/** The open orders of every household for one slot (the operator's order book). */
export async function slotOrders(
  db: Queryable,
  communityId: string,
  slot: string,
  commodity: string,
): Promise<OrderRecord[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM market.orders
      WHERE community_id = $1 AND slot = $2 AND commodity = $3 AND status IN ('open', 'partially-filled')
      ORDER BY id LIMIT ${MAX_LISTED.bookOrders}`,
    [communityId, slot, commodity],
  );
  return rows.map(toRecord);
}
