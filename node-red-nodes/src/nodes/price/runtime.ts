import type { PriceSignal } from "@openlem/protocol";
import type { NodeDef, NodeMessage, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";

/** The price message: the current slot's price, and the forecast as price-scheduling nodes take it. */
export function priceMessage(p: PriceSignal): NodeMessage {
  return {
    topic: `openlem/${p.communityId}/price`,
    payload: {
      slot: p.slot,
      price: p.price,
      kind: p.kind,
      priceData: p.forecast.map((f) => ({ start: f.start, value: f.value })),
    },
  };
}

export function registerPrice(RED: Red): void {
  RED.nodes.registerType("openlem-price", function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const conn = useHub(RED, this, def);
    if (!conn) return;
    let last: PriceSignal | undefined;
    const onPrice = (p: PriceSignal) => {
      last = p;
      this.send(priceMessage(p));
    };
    conn.on("price", onPrice);
    conn.live();
    // any input repeats the latest price, e.g. for a dashboard that just started
    this.on("input", (_msg, send, done) => {
      if (last) send(priceMessage(last));
      done();
    });
    this.on("close", (_removed, done) => {
      conn.off("price", onPrice);
      done();
    });
  });
}
