import { DISCOVERY_PREFIX, discoveryTopic, householdEntities, parseTopic, type TokenScope } from "@openlem/protocol";

/** Who is connected to the embedded broker. */
export type MqttIdentity =
  | { kind: "hub" }
  | { kind: "anonymous" }
  | { kind: "device"; communityId: string; householdId: string; scope: TokenScope }
  | { kind: "user"; operator: boolean; households: { communityId: string; householdId: string }[] };

function ownsHousehold(who: MqttIdentity, communityId: string, householdId: string): boolean {
  if (who.kind === "device") return who.communityId === communityId && who.householdId === householdId;
  if (who.kind === "user")
    return who.operator || who.households.some((h) => h.communityId === communityId && h.householdId === householdId);
  return false;
}

/** Home Assistant's birth and last-will topic: every Home Assistant publishes "online" and "offline" there. */
export const HA_STATUS_TOPIC = `${DISCOVERY_PREFIX}/status`;

/** The discovery topics of one household's own entities (what its bridge announces). */
function householdDiscoveryTopics(householdId: string): Set<string> {
  return new Set(Object.values(householdEntities).map((entity) => discoveryTopic(entity(householdId))));
}

/**
 * Publishing: the hub publishes anything. Home Assistant's birth message (`homeassistant/status`)
 * is taken from anyone, since Home Assistant sends it on every connect and a broker that refuses
 * it drops Home Assistant; retained only from a logged-in client (Home Assistant's own is not
 * retained), so an anonymous one cannot leave an "online" that every later client replays. A household's device token, its members, and its Home Assistant
 * token run its bridge's entities: the bridge's state and availability, the `set` topics of its
 * numbers (Home Assistant writes those for the bid card), and the discovery configs of the
 * household's own entities. Orders and readings come from the device token and the members only.
 * A read-only token publishes nothing else. Nobody else publishes under openlem/ or
 * homeassistant/. Elsewhere a logged-in client may relay messages, but not leave retained ones
 * (they would stay in the hub's broker for every later subscriber).
 */
export function mayPublish(who: MqttIdentity, topic: string, retain = false): boolean {
  if (who.kind === "hub") return true;
  if (topic.startsWith("$")) return false;
  if (topic === HA_STATUS_TOPIC) return !(retain && who.kind === "anonymous");
  // a read-only token (a dashboard's) reads what its household may, and publishes nothing else
  if (who.kind === "device" && who.scope === "read") return false;
  if (topic.startsWith(`${DISCOVERY_PREFIX}/`)) {
    const households =
      who.kind === "device" ? [who.householdId] : who.kind === "user" ? who.households.map((h) => h.householdId) : [];
    return households.some((h) => householdDiscoveryTopics(h).has(topic));
  }
  const t = parseTopic(topic);
  if (!t) return !topic.startsWith("openlem/") && who.kind !== "anonymous" && !retain;
  if (t.kind === "bridge") return ownsHousehold(who, t.community, t.household);
  if (t.kind === "orders" || t.kind === "readings")
    return !(who.kind === "device" && who.scope === "home-assistant") && ownsHousehold(who, t.community, t.household);
  return false;
}

/**
 * A client's last will that says its bridge went `offline`, on its own household's availability
 * topic: still published when the client's token ended (revoked, expired), since all it does
 * is stop Home Assistant showing the bridge's last values as live.
 */
export function isOfflineWill(who: MqttIdentity, topic: string, payload: Buffer | string): boolean {
  const t = parseTopic(topic);
  return (
    t?.kind === "bridge" &&
    t.part === "availability" &&
    payload.toString() === "offline" &&
    ownsHousehold(who, t.community, t.household)
  );
}

/**
 * Delivery: public topics (status, prices, results, Home Assistant discovery) reach everyone;
 * a household's trades and acks reach only that household, its devices, the
 * operator and the hub. Checked per message, so a wildcard subscription sees only what it may.
 */
export function mayReceive(who: MqttIdentity, topic: string): boolean {
  if (who.kind === "hub") return true;
  // the broker's own $SYS topics tell who connects and disconnects: the operator's only
  if (topic.startsWith("$")) return who.kind === "user" && who.operator;
  const t = parseTopic(topic);
  if (!t) return !topic.startsWith("openlem/");
  switch (t.kind) {
    case "status":
    case "kpis":
    case "price":
    case "result":
      return true;
    case "trades":
    case "acks":
    case "orders":
    case "readings":
    case "bridge":
      return ownsHousehold(who, t.community, t.household);
  }
}
