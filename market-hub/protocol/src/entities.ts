/**
 * Home Assistant entity ids the suite publishes through MQTT discovery. Cards, bridges and
 * the hub use these functions, never literal strings, so an id is spelled in one place.
 * Object ids are the slugs with "-" turned into "_" (Home Assistant's own slug rule).
 */
const objectSlug = (id: string) => id.toLowerCase().replace(/[^a-z0-9_]/g, "_");

export const communityEntities = {
  price: (c: string) => `sensor.openlem_${objectSlug(c)}_price`,
  selfSufficiency: (c: string) => `sensor.openlem_${objectSlug(c)}_self_sufficiency`,
  localTradeShare: (c: string) => `sensor.openlem_${objectSlug(c)}_local_trade_share`,
  /**
   * Not published by the hub, which knows no battery's state: the community card draws the
   * communal battery when Home Assistant has an entity of this id (or the one it is given).
   */
  batterySoc: (c: string) => `sensor.openlem_${objectSlug(c)}_battery_soc`,
} as const;

export const householdEntities = {
  maxBuyPrice: (h: string) => `number.openlem_${objectSlug(h)}_max_buy_price`,
  minSellPrice: (h: string) => `number.openlem_${objectSlug(h)}_min_sell_price`,
  boughtLocalToday: (h: string) => `sensor.openlem_${objectSlug(h)}_bought_local_today`,
  boughtGridToday: (h: string) => `sensor.openlem_${objectSlug(h)}_bought_grid_today`,
  soldLocalToday: (h: string) => `sensor.openlem_${objectSlug(h)}_sold_local_today`,
  soldGridToday: (h: string) => `sensor.openlem_${objectSlug(h)}_sold_grid_today`,
  importedToday: (h: string) => `sensor.openlem_${objectSlug(h)}_imported_today`,
  exportedToday: (h: string) => `sensor.openlem_${objectSlug(h)}_exported_today`,
  importCostToday: (h: string) => `sensor.openlem_${objectSlug(h)}_import_cost_today`,
  exportCompensationToday: (h: string) => `sensor.openlem_${objectSlug(h)}_export_compensation_today`,
  costToday: (h: string) => `sensor.openlem_${objectSlug(h)}_cost_today`,
  savingsToday: (h: string) => `sensor.openlem_${objectSlug(h)}_savings_today`,
  effectivePrice: (h: string) => `sensor.openlem_${objectSlug(h)}_effective_price`,
  agentStatus: (h: string) => `sensor.openlem_${objectSlug(h)}_agent_status`,
} as const;

type EntityId = (slug: string) => string;
const ALL_ENTITIES: readonly EntityId[] = [...Object.values(communityEntities), ...Object.values(householdEntities)];

/** An entity function's fixed parts: what comes before and after the slug. */
function partsOf(entity: EntityId): { prefix: string; suffix: string } {
  const marker = "x";
  const id = entity(marker);
  const at = id.indexOf(`_${marker}_`) + 1;
  return { prefix: id.slice(0, at), suffix: id.slice(at + marker.length) };
}

/**
 * The inverse of an entity function: the community or household slug an entity id was made
 * from, or null when the id is not one of that kind. `communityEntities.price` does not take
 * `sensor.openlem_h_effective_price`, a household's entity whose id also ends in `_price`.
 * The slug is the object slug ("-" as "_"); given back to the function it makes the same id.
 */
export function entityOwner(entity: EntityId, entityId: string): string | null {
  const { prefix, suffix } = partsOf(entity);
  if (!entityId.startsWith(prefix) || !entityId.endsWith(suffix)) return null;
  const slug = entityId.slice(prefix.length, entityId.length - suffix.length);
  if (!/^[a-z0-9_]+$/.test(slug)) return null;
  // an entity of another kind whose fixed part is longer and matches too is that kind's
  for (const other of ALL_ENTITIES) {
    if (other === entity) continue;
    const o = partsOf(other);
    const longer = o.prefix.length + o.suffix.length > prefix.length + suffix.length;
    if (
      longer &&
      entityId.startsWith(o.prefix) &&
      entityId.endsWith(o.suffix) &&
      entityId.length > o.prefix.length + o.suffix.length
    ) {
      return null;
    }
  }
  return slug;
}

/** The slug of the first entity id of this kind among `entityIds` (e.g. Home Assistant's states), or null. */
export function findEntityOwner(entity: EntityId, entityIds: Iterable<string>): string | null {
  for (const id of entityIds) {
    const slug = entityOwner(entity, id);
    if (slug !== null) return slug;
  }
  return null;
}

/**
 * The local price sensor's attributes, by name: the hub's discovery writes them (the forecast
 * and the slot from each price message, the rest from the community's market), the cards read
 * them. Named once, here.
 */
export const PRICE_ATTRIBUTES = {
  forecast: "forecast",
  slot: "slot",
  retailPrice: "retail_price",
  feedInTariff: "feed_in_tariff",
  priceFloor: "price_floor",
  priceCap: "price_cap",
  currency: "currency",
  slotMinutes: "slot_minutes",
  timeZone: "time_zone",
} as const;
