import {
  checkOrderForMarket,
  type FieldProblem,
  fieldPath,
  type MarketConfig,
  type Order,
  OrderInput,
  type OrderRecord,
  type OrderStatus,
  orderEnergyWh,
} from "@openlem/protocol";
import type { Queryable } from "../db/database.js";
import { Problem } from "../http/problem.js";
import { ensureHousehold } from "./communities.js";

interface Row {
  id: number;
  household_id: string;
  body: unknown;
  status: OrderStatus;
  filled_wh: number;
  submitted_at: Date;
}
const COLUMNS = "id, household_id, body, status, filled_wh, submitted_at";

export function toRecord(r: Row): OrderRecord {
  return {
    id: String(r.id),
    participantId: r.household_id,
    householdId: r.household_id,
    order: OrderInput.parse(r.body),
    status: r.status,
    filledWh: r.filled_wh,
    submittedAt: r.submitted_at.toISOString(),
  };
}

/** Orders are compared as stored: the same clientOrderId with the same content is the same order. */
const canonical = (o: Order) => JSON.stringify(OrderInput.parse(o));

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
  db: Queryable,
  communityId: string,
  householdId: string,
  market: MarketConfig,
  orders: Order[],
  now: Date,
  prefix: (i: number) => (string | number)[],
): Promise<SubmitResult> {
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  orders.forEach((o, i) => {
    for (const v of checkOrderForMarket(o, market, now.toISOString())) {
      problems.push({ field: fieldPath([...prefix(i), ...v.path]), rule: v.message });
    }
    const first = seen.get(o.clientOrderId);
    if (first !== undefined) {
      problems.push({ field: fieldPath([...prefix(i), "clientOrderId"]), rule: `repeats the one of order ${first}` });
    }
    seen.set(o.clientOrderId, i);
  });
  if (problems.length > 0)
    throw Problem.unprocessable("the market refuses these orders; nothing was accepted", problems);

  await ensureHousehold(db, communityId, householdId);
  const records: OrderRecord[] = [];
  let created = false;
  for (const [i, o] of orders.entries()) {
    const body = canonical(o);
    const inserted = await db.query<Row>(
      `INSERT INTO market.orders (community_id, household_id, client_order_id, slot, commodity, side, body, energy_wh, submitted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (community_id, household_id, client_order_id) DO NOTHING RETURNING ${COLUMNS}`,
      [communityId, householdId, o.clientOrderId, o.slot, o.commodity, o.side, body, orderEnergyWh(o), now],
    );
    if (inserted[0]) {
      created = true;
      records.push(toRecord(inserted[0]));
      continue;
    }
    const [existing] = await db.query<Row>(
      `SELECT ${COLUMNS} FROM market.orders WHERE community_id = $1 AND household_id = $2 AND client_order_id = $3`,
      [communityId, householdId, o.clientOrderId],
    );
    if (!existing) throw new Error(`order ${o.clientOrderId} conflicted but is not there`);
    // jsonb reorders keys, so both sides go through the schema before they are compared.
    if (canonical(OrderInput.parse(existing.body)) !== body) {
      throw Problem.conflict("this clientOrderId was used for a different order; nothing was accepted", [
        {
          field: fieldPath([...prefix(i), "clientOrderId"]),
          rule: `belongs to order ${existing.id} with other content; use a new id, or PUT to replace that order`,
        },
      ]);
    }
    records.push(toRecord(existing));
  }
  return { records, created };
}

export interface OrderFilter {
  from?: string | undefined;
  to?: string | undefined;
  status?: OrderStatus | undefined;
}

export async function listOrders(
  db: Queryable,
  communityId: string,
  householdId: string,
  f: OrderFilter,
): Promise<OrderRecord[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM market.orders
      WHERE community_id = $1 AND household_id = $2
        AND ($3::timestamptz IS NULL OR slot >= $3) AND ($4::timestamptz IS NULL OR slot < $4)
        AND ($5::text IS NULL OR status = $5)
      ORDER BY slot, id LIMIT 5000`,
    [communityId, householdId, f.from ?? null, f.to ?? null, f.status ?? null],
  );
  return rows.map(toRecord);
}

async function openOrder(
  db: Queryable,
  communityId: string,
  householdId: string,
  id: number,
  market: MarketConfig,
  now: Date,
) {
  const [row] = await db.query<Row & { slot: Date }>(
    `SELECT ${COLUMNS}, slot FROM market.orders WHERE community_id = $1 AND household_id = $2 AND id = $3 FOR UPDATE`,
    [communityId, householdId, id],
  );
  if (!row) throw Problem.notFound(`household ${householdId} has no order ${id}`);
  const closes = row.slot.getTime() - market.gateClosureMinutes * 60_000;
  if (now.getTime() >= closes) {
    throw Problem.conflict(
      `the gate for this order's slot closed at ${new Date(closes).toISOString()}; it can no longer change`,
    );
  }
  if (row.status !== "open") throw Problem.conflict(`the order is ${row.status}; only open orders change`);
  return row;
}

export async function cancelOrder(
  db: Queryable,
  communityId: string,
  householdId: string,
  id: number,
  market: MarketConfig,
  now: Date,
): Promise<OrderRecord> {
  await openOrder(db, communityId, householdId, id, market, now);
  const [row] = await db.query<Row>(
    `UPDATE market.orders SET status = 'cancelled' WHERE id = $1 RETURNING ${COLUMNS}`,
    [id],
  );
  if (!row) throw new Error(`order ${id} vanished`);
  return toRecord(row);
}

/** Replaces an open order's content before gate closure; it keeps its id and its place in time. */
export async function replaceOrder(
  db: Queryable,
  communityId: string,
  householdId: string,
  id: number,
  order: Order,
  market: MarketConfig,
  now: Date,
): Promise<OrderRecord> {
  const current = await openOrder(db, communityId, householdId, id, market, now);
  const problems = checkOrderForMarket(order, market, now.toISOString()).map((v) => ({
    field: fieldPath(v.path),
    rule: v.message,
  }));
  const currentClientId = OrderInput.parse(current.body).clientOrderId;
  if (order.clientOrderId !== currentClientId) {
    problems.push({ field: "clientOrderId", rule: `must stay ${currentClientId} when replacing` });
  }
  if (problems.length > 0) throw Problem.unprocessable("the market refuses this order; the old one stands", problems);
  const [row] = await db.query<Row>(
    `UPDATE market.orders SET body = $2, slot = $3, commodity = $4, side = $5, energy_wh = $6 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, canonical(order), order.slot, order.commodity, order.side, orderEnergyWh(order)],
  );
  if (!row) throw new Error(`order ${id} vanished`);
  return toRecord(row);
}
