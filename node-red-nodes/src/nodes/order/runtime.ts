import { HubError } from "@openlem/client";
import type { OrderInput, OrderRecord } from "@openlem/protocol";
import type { z } from "zod";
import { mustWait, Outbox } from "../../shared/outbox.js";
import type { NodeDef, NodeMessage, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";
import { ordersFrom } from "./orders-from.js";

/** Orders kept while the hub is away, with the message that brought them. */
interface Waiting {
  orders: z.input<typeof OrderInput>[];
  msg: NodeMessage;
}

/**
 * Submits the orders in msg.payload. Output 1: what the hub accepted (msg.payload = the order
 * records); output 2: what it refused or what was not an order, with msg.error = { message,
 * errors: [{ field, rule }] } and the original payload untouched. While the hub is away the
 * orders wait in the node's context and go, in order and each once (clientOrderId), when it
 * is back (msg.sentLater); one whose gate closed meanwhile comes out of output 2.
 */
export function registerOrder(RED: Red): void {
  RED.nodes.registerType("openlem-order", function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const conn = useHub(RED, this, def);
    if (!conn) return;
    const prefix = `nr-${this.id.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}`;
    const refuse = (msg: NodeMessage, message: string, errors: { field: string; rule: string }[]) => {
      this.status({ fill: "red", shape: "dot", text: message });
      return [null, { ...msg, error: { message, errors } }];
    };
    const outbox = new Outbox<Waiting, OrderRecord[]>(
      this,
      "openlem-pending-orders",
      ([w]) => (w ? conn.rest.submitOrders(w.orders) : Promise.resolve([])),
      1,
    );
    const showWaiting = (n: number) =>
      this.status({
        fill: "yellow",
        shape: "ring",
        text: `hub away: ${n} order message(s) waiting, sent when it is back`,
      });
    outbox.keepSending(conn, (r) => {
      // one message per request: its answer is at the same place
      r.sent.forEach((w, i) => {
        this.send([{ ...w.msg, payload: r.answers[i] ?? w.orders, sentLater: true }, null]);
      });
      // a refusal after the outage (most often: the slot's gate closed meanwhile) goes to output 2
      for (const x of r.refused)
        for (const w of x.items) {
          const e = x.error;
          const message = `sent after the hub came back, refused: ${e instanceof Error ? e.message : String(e)}`;
          this.send([null, { ...w.msg, error: { message, errors: e instanceof HubError ? e.errors : [] } }]);
        }
      if (conn.refusedBy(r.stoppedBy)) return;
      if (r.waiting) showWaiting(r.waiting);
      else if (r.sent.length)
        this.status({ fill: "green", shape: "dot", text: `${r.sent.length} waiting order message(s) sent` });
      else if (r.refused.length)
        this.status({ fill: "red", shape: "dot", text: "orders refused after the outage: see output 2" });
    });
    /** The token refused: the orders go to output 2 with what to do (they are for a slot soon gone). */
    const refusedToken = (msg: NodeMessage, why: string) => refuse(msg, why, [{ field: "token", rule: why }]);
    this.on("input", (msg, send, done) => {
      void (async () => {
        if (conn.refusal) {
          send(refusedToken(msg, conn.refusal));
          return done();
        }
        const asked = await ordersFrom(msg.payload, {
          prefix,
          nextOpenSlot: async () => (await conn.clock())?.nextOpenSlot ?? null,
        });
        if (asked.kind === "refused") {
          send(refuse(msg, asked.message, asked.errors));
          return done();
        }
        const { orders } = asked;
        if (outbox.items.length === 0) {
          try {
            const records = await conn.rest.submitOrders(orders);
            this.status({ fill: "green", shape: "dot", text: `${records.length} order(s) for ${orders[0]?.slot}` });
            send([{ ...msg, payload: records }, null]);
            return done();
          } catch (err) {
            if (conn.refusedBy(err)) {
              send(refusedToken(msg, conn.refusal ?? String(err)));
              return done();
            }
            if (!mustWait(err)) {
              send(
                refuse(
                  msg,
                  err instanceof Error ? err.message : String(err),
                  err instanceof HubError ? err.errors : [],
                ),
              );
              return done();
            }
          }
        }
        // the hub is away (or others wait before these): kept, and sent in order once it answers
        // only what can be stored (a file context store writes JSON): the orders and the topic
        outbox.add([{ orders, msg: msg.topic === undefined ? {} : { topic: msg.topic } }]);
        showWaiting(outbox.items.length);
        done();
      })().catch((err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
    });
  });
}
