import { z } from "zod";
import type { Commodity } from "./market.js";

/**
 * MQTT topics of the suite. Every topic starts with `openlem/<community>/`; ids are
 * slugs (see ids.ts), so they never contain MQTT's reserved "/", "+" or "#".
 * Retained: status, price, results. Private: a household's trades and acks.
 */
export const TOPIC_ROOT = "openlem";

export const topics = {
  /** Hub status, retained, with a last will of {"state":"offline"}. */
  status: (community: string) => `${TOPIC_ROOT}/${community}/status`,
  /** Current price and forecast for a commodity, retained (PriceSignal). */
  price: (community: string, commodity: Commodity) => `${TOPIC_ROOT}/${community}/price/${commodity}`,
  /** One slot's public result, retained (SlotResult). */
  result: (community: string, commodity: Commodity, slot: string) =>
    `${TOPIC_ROOT}/${community}/results/${commodity}/${slot}`,
  /** The newest public result, retained (SlotResult). */
  latestResult: (community: string, commodity: Commodity) => `${TOPIC_ROOT}/${community}/results/${commodity}/latest`,
  /** Today's community KPIs in the community's calendar, retained (KpiSignal). */
  kpis: (community: string) => `${TOPIC_ROOT}/${community}/kpis`,
  /** A household's own fills per slot (HouseholdTrades); only that household may subscribe. */
  trades: (community: string, household: string) => `${TOPIC_ROOT}/${community}/households/${household}/trades`,
  /** A device submits orders for its household here (OrderBatch). */
  orders: (community: string, household: string) => `${TOPIC_ROOT}/${community}/households/${household}/orders`,
  /** A device submits meter readings for its household here (ReadingBatch). */
  readings: (community: string, household: string) => `${TOPIC_ROOT}/${community}/households/${household}/readings`,
  /** The hub answers each MQTT submission here (SubmissionAck). */
  acks: (community: string, household: string) => `${TOPIC_ROOT}/${community}/households/${household}/acks`,
  /**
   * A bridge's household entities on Home Assistant's broker: one retained JSON state
   * (BridgeState) that every discovered entity reads with its value template.
   */
  bridgeState: (community: string, household: string) =>
    `${TOPIC_ROOT}/${community}/households/${household}/bridge/state`,
  /** Home Assistant writes a bridge's number entity here (the bid card's price limits). */
  bridgeSet: (community: string, household: string, key: string) =>
    `${TOPIC_ROOT}/${community}/households/${household}/bridge/${key}/set`,
  /** The bridge's availability, retained, with a last will of "offline". */
  bridgeAvailability: (community: string, household: string) =>
    `${TOPIC_ROOT}/${community}/households/${household}/bridge/availability`,
} as const;

/** What a bridge publishes on `bridgeState`: today's figures, its limits, and what its agent does. */
export const BridgeState = z.object({
  boughtLocalWh: z.number().int().min(0),
  boughtGridWh: z.number().int().min(0),
  soldLocalWh: z.number().int().min(0),
  soldGridWh: z.number().int().min(0),
  /**
   * What Home Assistant's Energy dashboard takes: all energy imported today (bought locally,
   * from the utility, deviations) with what it cost, charges included, and all energy exported
   * with what it earned. importCost − exportCompensation = cost, to the cent.
   */
  importedWh: z.number().int().min(0),
  exportedWh: z.number().int().min(0),
  importCost: z.number(),
  exportCompensation: z.number(),
  /** Today's bill (the net of the two above) and savings in the community's currency (cents). */
  cost: z.number(),
  savings: z.number(),
  maxBuyPrice: z.number(),
  minSellPrice: z.number(),
  agentStatus: z.string().max(255),
  /**
   * What today's imports cost per kWh (local, utility and deviations together; the retail
   * price before anything was bought): the price Home Assistant's Energy dashboard costs the
   * household's grid import with.
   */
  effectivePrice: z.number(),
  /** The start of the household's day (the community's local midnight): when the "today" totals reset. */
  dayStart: z.iso.datetime(),
});
export type BridgeState = z.output<typeof BridgeState>;

/** Subscription filters for the public topics of a community. */
export const topicFilters = {
  allPublic: (community: string) => [
    topics.status(community),
    `${TOPIC_ROOT}/${community}/price/+`,
    `${TOPIC_ROOT}/${community}/results/#`,
  ],
  latestResults: (community: string) => `${TOPIC_ROOT}/${community}/results/+/latest`,
} as const;

export type ParsedTopic =
  | { kind: "status"; community: string }
  | { kind: "kpis"; community: string }
  | { kind: "price"; community: string; commodity: string }
  | { kind: "result"; community: string; commodity: string; slot: string }
  | { kind: "orders" | "readings" | "acks" | "trades"; community: string; household: string }
  /** A bridge's own topics for its household: state, availability, and the numbers' `set`. */
  | { kind: "bridge"; community: string; household: string; part: string };

/** Parses a concrete topic of the suite; null for anything else. The broker's access rules use it. */
export function parseTopic(topic: string): ParsedTopic | null {
  const p = topic.split("/");
  if (p[0] !== TOPIC_ROOT || p.length < 3) return null;
  const community = p[1] ?? "";
  const rest = p.slice(2);
  if (rest.length === 1 && rest[0] === "status") return { kind: "status", community };
  if (rest.length === 1 && rest[0] === "kpis") return { kind: "kpis", community };
  if (rest.length === 2 && rest[0] === "price") return { kind: "price", community, commodity: rest[1] ?? "" };
  if (rest.length === 3 && rest[0] === "results") {
    return { kind: "result", community, commodity: rest[1] ?? "", slot: rest[2] ?? "" };
  }
  if (rest.length === 3 && rest[0] === "households") {
    const kind = rest[2];
    if (kind === "orders" || kind === "readings" || kind === "acks" || kind === "trades")
      return { kind, community, household: rest[1] ?? "" };
  }
  if (rest.length >= 4 && rest.length <= 5 && rest[0] === "households" && rest[2] === "bridge") {
    return { kind: "bridge", community, household: rest[1] ?? "", part: rest.slice(3).join("/") };
  }
  return null;
}

export const HubStatus = z.object({
  state: z.enum(["online", "offline"]),
  version: z.string().optional(),
  at: z.string().optional(),
});
export type HubStatus = z.infer<typeof HubStatus>;

/** The hub's answer to an MQTT submission. */
export const SubmissionAck = z.object({
  kind: z.enum(["orders", "readings"]),
  ok: z.boolean(),
  accepted: z.number().int().min(0),
  errors: z.array(z.object({ field: z.string(), rule: z.string() })),
});
export type SubmissionAck = z.infer<typeof SubmissionAck>;
