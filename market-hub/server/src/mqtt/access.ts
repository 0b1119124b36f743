import { parseTopic } from "@openlem/protocol";

/** Who is connected to the embedded broker. */
export type MqttIdentity =
  | { kind: "hub" }
  | { kind: "anonymous" }
  | { kind: "device"; communityId: string; householdId: string }
  | { kind: "user"; operator: boolean; households: { communityId: string; householdId: string }[] };

function ownsHousehold(who: MqttIdentity, communityId: string, householdId: string): boolean {
  if (who.kind === "device") return who.communityId === communityId && who.householdId === householdId;
  if (who.kind === "user")
    return who.operator || who.households.some((h) => h.communityId === communityId && h.householdId === householdId);
  return false;
}

/**
 * Publishing: the hub publishes anything; a household's device or member may submit orders and
 * readings for that household only; nobody else publishes under openlem/ or homeassistant/.
 */
export function mayPublish(who: MqttIdentity, topic: string): boolean {
  if (who.kind === "hub") return true;
  if (topic.startsWith("$")) return false;
  const t = parseTopic(topic);
  if (!t) return !topic.startsWith("openlem/") && !topic.startsWith("homeassistant/") && who.kind !== "anonymous";
  if (t.kind === "orders" || t.kind === "readings") return ownsHousehold(who, t.community, t.household);
  return false;
}

/**
 * Delivery: public topics (status, prices, results, Home Assistant discovery) reach everyone;
 * a participant's trades and a household's acks reach only that household, its devices, the
 * operator and the hub. Checked per message, so a wildcard subscription sees only what it may.
 */
export function mayReceive(who: MqttIdentity, topic: string): boolean {
  if (who.kind === "hub") return true;
  const t = parseTopic(topic);
  if (!t) return !topic.startsWith("openlem/");
  switch (t.kind) {
    case "status":
    case "kpis":
    case "price":
    case "result":
      return true;
    case "trades":
      return ownsHousehold(who, t.community, t.participant);
    case "acks":
    case "orders":
    case "readings":
      return ownsHousehold(who, t.community, t.household);
  }
}
