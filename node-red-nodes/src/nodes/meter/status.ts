import type { FlushResult } from "../../shared/outbox.js";
import type { NodeStatus } from "../../shared/red.js";

/** What the node's status says after a flush: a refused token, readings waiting, a refusal, or what was sent. */
export function meterStatus(
  r: Pick<FlushResult<unknown, unknown>, "waiting" | "refused">,
  refusal: string | null,
  sentText: string,
): NodeStatus {
  if (refusal)
    return { fill: "red", shape: "ring", text: `${refusal}; ${r.waiting} reading(s) waiting for it`.slice(0, 200) };
  if (r.waiting > 0)
    return { fill: "yellow", shape: "ring", text: `hub away: ${r.waiting} reading(s) waiting, sent when it is back` };
  if (r.refused.length) return { fill: "red", shape: "dot", text: "the hub refused a reading: see the debug sidebar" };
  return { fill: "green", shape: "dot", text: sentText };
}
