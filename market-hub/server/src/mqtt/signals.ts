import {
  type Commodity,
  type CommunityId,
  type KpiSignal,
  localDateOf,
  type PriceSignal,
  periodOf,
  priceSignalAt,
  priceSignalWindow,
} from "@openlem/protocol";
import type { HubContext } from "../context.js";
import { getCommunity } from "../services/communities.js";
import { listResults } from "../services/results.js";
import { communityKpis } from "../services/settlement.js";

/*
 * The retained signals the hub keeps on MQTT for every community: the price of the slot under
 * way with its forecast to the end of tomorrow, and today's KPIs. Built here from the database;
 * HubMqtt publishes them.
 */

/** The price signal at the hub's time now (see priceSignalAt for the rule). */
export async function priceSignalNow(
  ctx: Pick<HubContext, "db" | "now">,
  communityId: CommunityId,
  commodity: Commodity,
): Promise<PriceSignal> {
  const { market } = await getCommunity(ctx.db, communityId);
  const now = ctx.now().getTime();
  const results = await listResults(ctx.db, communityId, { commodity, ...priceSignalWindow(market, now) });
  return priceSignalAt(communityId, market, commodity, now, results);
}

/** The KPIs of the community's local day that `slot` falls in. */
export async function kpiSignalOf(
  ctx: Pick<HubContext, "db" | "now">,
  communityId: CommunityId,
  slot: string,
): Promise<KpiSignal> {
  const community = await getCommunity(ctx.db, communityId);
  const period = periodOf("day", localDateOf(slot, community.market.timeZone), community.market.timeZone);
  return {
    communityId,
    period: { kind: period.kind, start: period.start },
    kpis: await communityKpis(ctx.db, community, period),
    at: ctx.now().toISOString(),
  };
}
