import { HubError } from "@openlem/client";
import { fieldProblems, OrderInput } from "@openlem/protocol";
import { z } from "zod";
import type { NodeDef, NodeMessage, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";

/** One order or a list; `slot` may be "next" (the next slot that still takes orders). */
const Incoming = z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown())).min(1)]);

/**
 * Submits the orders in msg.payload. Output 1: what the hub accepted (msg.payload = the order
 * records); output 2: what it refused or what was not an order, with msg.error = { message,
 * errors: [{ field, rule }] } and the original payload untouched.
 */
export function registerOrder(RED: Red): void {
  RED.nodes.registerType("openlem-order", function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const conn = useHub(RED, this, def);
    if (!conn) return;
    const prefix = `nr-${this.id.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}`;
    const refuse = (msg: NodeMessage, message: string, errors: { field: string; rule: string }[]) => {
      this.status({ fill: "red", shape: "dot", text: message.slice(0, 80) });
      return [null, { ...msg, error: { message, errors } }];
    };
    this.on("input", (msg, send, done) => {
      void (async () => {
        const incoming = Incoming.safeParse(msg.payload);
        if (!incoming.success) {
          send(
            refuse(msg, "msg.payload must be an order object or a list of them", [
              { field: "payload", rule: "must be an order object or a list of them" },
            ]),
          );
          return done();
        }
        const list = Array.isArray(incoming.data) ? incoming.data : [incoming.data];
        let next: string | undefined;
        const orders: z.input<typeof OrderInput>[] = [];
        const problems: { field: string; rule: string }[] = [];
        for (const [i, raw] of list.entries()) {
          const o = { ...raw };
          if (o.slot === undefined || o.slot === "next") {
            next ??= (await conn.rest.clock()).nextOpenSlot;
            o.slot = next;
          }
          if (o.clientOrderId === undefined) o.clientOrderId = `${prefix}-${o.side}-${o.slot}`;
          const parsed = OrderInput.safeParse(o);
          if (parsed.success) orders.push(o as z.input<typeof OrderInput>);
          else
            for (const p of fieldProblems(parsed.error))
              problems.push({ field: `orders[${i}].${p.field}`, rule: p.rule });
        }
        if (problems.length) {
          send(refuse(msg, problems.map((p) => `${p.field}: ${p.rule}`).join("; "), problems));
          return done();
        }
        try {
          const records = await conn.rest.submitOrders(orders);
          this.status({ fill: "green", shape: "dot", text: `${records.length} order(s) for ${orders[0]?.slot}` });
          send([{ ...msg, payload: records }, null]);
        } catch (err) {
          if (err instanceof HubError && !err.unreachable) send(refuse(msg, err.message, err.errors));
          else send(refuse(msg, err instanceof Error ? err.message : String(err), []));
        }
        done();
      })().catch((err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
    });
  });
}
