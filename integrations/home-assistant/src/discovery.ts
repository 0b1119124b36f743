import { type BridgeState, discoveryIds, discoveryTopic, householdEntities, topics } from "@openlem/protocol";

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
): { topic: string; config: Record<string, unknown> }[] {
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
  return all.map(({ entity, config }) => ({
    topic: discoveryTopic(entity),
    config: { ...common, ...config, ...discoveryIds(entity) },
  }));
}
