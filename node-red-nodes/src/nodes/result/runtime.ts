import { type HouseholdTrades, type SlotResult, topics } from "@openlem/protocol";
import type { NodeDef, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";

/**
 * Output 1: every clearing result; output 2: this household's own trades in the slot. Each
 * message's topic is the MQTT topic the hub publishes it on (topics.ts).
 */
export function registerResult(RED: Red): void {
  RED.nodes.registerType("openlem-result", function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const conn = useHub(RED, this, def);
    if (!conn) return;
    const onResult = (r: SlotResult) =>
      this.send([{ topic: topics.result(r.communityId, r.commodity, r.slot), payload: r }, null]);
    const onTrades = (t: HouseholdTrades) =>
      this.send([null, { topic: topics.trades(t.communityId, t.householdId), payload: t }]);
    conn.on("result", onResult);
    conn.on("trades", onTrades);
    conn.live();
    this.on("close", (_removed, done) => {
      conn.off("result", onResult);
      conn.off("trades", onTrades);
      done();
    });
  });
}
