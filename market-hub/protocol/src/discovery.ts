import { PRICE_ATTRIBUTES as A, communityEntities, householdEntities } from "./entities.js";
import type { MarketConfig } from "./market.js";
import { type BridgeState, topics } from "./topics.js";

/*
 * Home Assistant MQTT discovery, every payload OpenLEM announces: the hub's community sensors
 * and a household's entities (announced by the Home Assistant bridge). One builder, so both
 * carry the same ids, availability and device shape on every Home Assistant release.
 */

export const DISCOVERY_PREFIX = "homeassistant";

/** Splits "sensor.openlem_x_price" into its domain and object id. */
export function splitEntityId(entityId: string): { domain: string; objectId: string } {
  const dot = entityId.indexOf(".");
  return { domain: entityId.slice(0, dot), objectId: entityId.slice(dot + 1) };
}

/** The discovery topic for an entity id: homeassistant/<domain>/<object_id>/config. */
export function discoveryTopic(entityId: string): string {
  const { domain, objectId } = splitEntityId(entityId);
  return `${DISCOVERY_PREFIX}/${domain}/${objectId}/config`;
}

/**
 * The ids every discovery config carries, so the entity gets the documented id on every
 * Home Assistant release: `default_entity_id` (2025.10 on), and `object_id` for the releases
 * before it (2025.10 to 2026.3 read `default_entity_id` first and warn only when it is
 * missing; 2026.4 ignores `object_id`).
 */
export function discoveryIds(entityId: string): { unique_id: string; default_entity_id: string; object_id: string } {
  return {
    unique_id: entityId.replace(".", "_"),
    default_entity_id: entityId,
    object_id: splitEntityId(entityId).objectId,
  };
}

/** One retained discovery config: where it goes and what it says. */
export interface DiscoveryMessage {
  topic: string;
  config: Record<string, unknown>;
}

/** A discovery config for an entity: the shared parts (availability, device), its own, and its ids. */
export function discoveryMessage(
  entityId: string,
  common: Record<string, unknown>,
  config: Record<string, unknown>,
): DiscoveryMessage {
  return { topic: discoveryTopic(entityId), config: { ...common, ...config, ...discoveryIds(entityId) } };
}

/**
 * The hub's community sensors: the price (the forecast and the market's limits as attributes,
 * which the cards draw and keep bids inside), self-sufficiency and local trade share today, all
 * unavailable while the hub is offline.
 */
export function communityDiscovery(
  communityId: string,
  name: string,
  market: Pick<
    MarketConfig,
    "retailPrice" | "feedInTariff" | "priceFloor" | "priceCap" | "currency" | "slotMinutes" | "timeZone"
  >,
): DiscoveryMessage[] {
  const common = {
    availability_topic: topics.status(communityId),
    availability_template: "{{ value_json.state }}",
    payload_available: "online",
    payload_not_available: "offline",
    state_class: "measurement",
    device: {
      identifiers: [`openlem_${communityId}`],
      // "OpenLEM demo neighbourhood" stays as it is, "Groene Mient" becomes "OpenLEM Groene Mient"
      name: /^openlem\b/i.test(name) ? name : `OpenLEM ${name}`,
      manufacturer: "OpenLEM",
      model: "Community hub",
    },
  };
  const percent = (field: string) =>
    `{{ (value_json.kpis.${field} * 100) | round(1) if value_json.kpis.${field} is not none else None }}`;
  return [
    discoveryMessage(communityEntities.price(communityId), common, {
      name: "Local price",
      state_topic: topics.price(communityId, "electricity"),
      value_template: "{{ value_json.price }}",
      json_attributes_topic: topics.price(communityId, "electricity"),
      json_attributes_template: priceAttributesTemplate(market),
      unit_of_measurement: `${market.currency}/kWh`,
    }),
    discoveryMessage(communityEntities.selfSufficiency(communityId), common, {
      name: "Self-sufficiency today",
      state_topic: topics.kpis(communityId),
      value_template: percent("selfSufficiency"),
      unit_of_measurement: "%",
    }),
    discoveryMessage(communityEntities.localTradeShare(communityId), common, {
      name: "Local trade share today",
      state_topic: topics.kpis(communityId),
      value_template: percent("localTradeShare"),
      unit_of_measurement: "%",
    }),
  ];
}

/**
 * Home Assistant MQTT discovery for a household's market entities: energy and money today,
 * the agent's status, and the two price limits as `number`s the bid card writes. Every entity
 * reads the bridge's one retained state with a value template, and is unavailable while the
 * bridge is offline.
 */
export function householdDiscovery(
  community: string,
  household: string,
  market: { currency: string; priceFloor: number; priceCap: number },
): DiscoveryMessage[] {
  const state = topics.bridgeState(community, household);
  const common = {
    availability_topic: topics.bridgeAvailability(community, household),
    state_topic: state,
    device: {
      identifiers: [`openlem_household_${household}`],
      name: `OpenLEM ${household}`,
      manufacturer: "OpenLEM",
      model: "Home Assistant bridge",
    },
  };
  const energy = (entity: string, name: string, field: keyof BridgeState) => ({
    entity,
    config: {
      name,
      value_template: `{{ value_json.${field} }}`,
      unit_of_measurement: "Wh",
      device_class: "energy",
      state_class: "total_increasing",
    },
  });
  // money resets with the day: Home Assistant's statistics need state_class total and the reset
  const money = (entity: string, name: string, field: keyof BridgeState) => ({
    entity,
    config: {
      name,
      value_template: `{{ value_json.${field} }}`,
      unit_of_measurement: market.currency,
      device_class: "monetary",
      state_class: "total",
      last_reset_value_template: "{{ value_json.dayStart }}",
    },
  });
  const limit = (entity: string, name: string, field: keyof BridgeState, key: string) => ({
    entity,
    config: {
      name,
      value_template: `{{ value_json.${field} }}`,
      command_topic: topics.bridgeSet(community, household, key),
      min: market.priceFloor,
      max: market.priceCap,
      step: 0.01,
      mode: "slider",
      unit_of_measurement: `${market.currency}/kWh`,
    },
  });
  const all = [
    energy(householdEntities.boughtLocalToday(household), "Bought locally today", "boughtLocalWh"),
    energy(householdEntities.boughtGridToday(household), "Bought from the grid today", "boughtGridWh"),
    energy(householdEntities.soldLocalToday(household), "Sold locally today", "soldLocalWh"),
    energy(householdEntities.soldGridToday(household), "Sold to the grid today", "soldGridWh"),
    energy(householdEntities.importedToday(household), "Imported today", "importedWh"),
    energy(householdEntities.exportedToday(household), "Exported today", "exportedWh"),
    money(householdEntities.importCostToday(household), "Import cost today", "importCost"),
    money(householdEntities.exportCompensationToday(household), "Export compensation today", "exportCompensation"),
    money(householdEntities.costToday(household), "Cost today", "cost"),
    money(householdEntities.savingsToday(household), "Savings today", "savings"),
    {
      entity: householdEntities.effectivePrice(household),
      config: {
        name: "Effective price today",
        value_template: "{{ value_json.effectivePrice }}",
        unit_of_measurement: `${market.currency}/kWh`,
        state_class: "measurement",
        icon: "mdi:cash",
      },
    },
    {
      entity: householdEntities.agentStatus(household),
      config: { name: "Agent status", value_template: "{{ value_json.agentStatus }}", icon: "mdi:robot" },
    },
    limit(householdEntities.maxBuyPrice(household), "Maximum buy price", "maxBuyPrice", "max_buy_price"),
    limit(householdEntities.minSellPrice(household), "Minimum sell price", "minSellPrice", "min_sell_price"),
  ];
  return all.map(({ entity, config }) => discoveryMessage(entity, common, config));
}

/**
 * The price sensor's attributes as Home Assistant's Jinja builds them from each price message:
 * the forecast and the slot from the message, the market's figures as constants.
 */
function priceAttributesTemplate(
  market: Pick<
    MarketConfig,
    "retailPrice" | "feedInTariff" | "priceFloor" | "priceCap" | "currency" | "slotMinutes" | "timeZone"
  >,
): string {
  const fromMessage = { [A.forecast]: "value_json.forecast", [A.slot]: "value_json.slot" };
  const constants: Record<string, string | number> = {
    [A.retailPrice]: market.retailPrice,
    [A.feedInTariff]: market.feedInTariff,
    [A.priceFloor]: market.priceFloor,
    [A.priceCap]: market.priceCap,
    [A.currency]: market.currency,
    [A.slotMinutes]: market.slotMinutes,
    [A.timeZone]: market.timeZone,
  };
  const entries = [
    ...Object.entries(fromMessage).map(([k, v]) => `'${k}': ${v}`),
    ...Object.entries(constants).map(([k, v]) => `'${k}': ${typeof v === "number" ? v : `'${v}'`}`),
  ];
  return `{{ {${entries.join(", ")}} | tojson }}`;
}
