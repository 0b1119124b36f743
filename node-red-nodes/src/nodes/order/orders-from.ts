import { type FieldProblem, fieldProblems, OrderInput } from "@openlem/protocol";
import { z } from "zod";

/** One order or a list; `slot` may be "next" (the next slot that still takes orders). */
export const Incoming = z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown())).min(1)]);

export type OrdersFrom =
  | { kind: "orders"; orders: z.input<typeof OrderInput>[] }
  | { kind: "refused"; message: string; errors: FieldProblem[] };

/**
 * The orders a message asks for: "next" (or no slot) becomes the hub's next open slot, a
 * missing clientOrderId one made from the node, the side and the slot (so a message sent twice
 * is one order); each order checked as the hub would, every problem named `orders[i].field`.
 */
export async function ordersFrom(
  payload: unknown,
  o: { prefix: string; nextOpenSlot: () => Promise<string | null> },
): Promise<OrdersFrom> {
  const incoming = Incoming.safeParse(payload);
  if (!incoming.success)
    return {
      kind: "refused",
      message: "msg.payload must be an order object or a list of them",
      errors: [{ field: "payload", rule: "must be an order object or a list of them" }],
    };
  const list = Array.isArray(incoming.data) ? incoming.data : [incoming.data];
  let next: string | null | undefined;
  const orders: z.input<typeof OrderInput>[] = [];
  const problems: FieldProblem[] = [];
  for (const [i, raw] of list.entries()) {
    const order = { ...raw };
    if (order.slot === undefined || order.slot === "next") {
      next ??= await o.nextOpenSlot();
      if (!next)
        return {
          kind: "refused",
          message: "the hub has not answered yet, so the next slot is unknown: give slot explicitly",
          errors: [{ field: `orders[${i}].slot`, rule: "must be given while the hub cannot be asked for its clock" }],
        };
      order.slot = next;
    }
    if (order.clientOrderId === undefined) order.clientOrderId = `${o.prefix}-${order.side}-${order.slot}`;
    const parsed = OrderInput.safeParse(order);
    if (parsed.success) orders.push(order as z.input<typeof OrderInput>);
    else for (const p of fieldProblems(parsed.error)) problems.push({ field: `orders[${i}].${p.field}`, rule: p.rule });
  }
  if (problems.length)
    return { kind: "refused", message: problems.map((p) => `${p.field}: ${p.rule}`).join("; "), errors: problems };
  return { kind: "orders", orders };
}
