import {
  buildStatement,
  computeKpis,
  type FlowSlot,
  type MeteredSlot,
  type SlotFills,
  settle,
  tariffTicks,
  utilityOnlyBill,
} from "@openlem/engine";
import type { Community, Kpis, Period, Statement } from "@openlem/protocol";
import type { Queryable } from "../db/database.js";
import { type HouseholdSlot, meteredSlots } from "../readings/store.js";
import { loadFills } from "./clearing.js";

function bySlot(fills: Awaited<ReturnType<typeof loadFills>>): SlotFills[] {
  const m = new Map<string, SlotFills["fills"][number][]>();
  for (const { slot, fill } of fills) m.set(slot, [...(m.get(slot) ?? []), fill]);
  return [...m].map(([slot, f]) => ({ slot, fills: f }));
}

const metered = (h: HouseholdSlot): MeteredSlot => ({
  participantId: h.householdId,
  slot: h.slot,
  commodity: "electricity",
  importWh: h.importWh,
  exportWh: h.exportWh,
});

/**
 * A household's statement for a period of the community's calendar: its trades, and the
 * deviations between traded and metered energy settled with the utility. Slots whose
 * readings are not in yet carry no deviation until they are; the statement grows as
 * readings arrive.
 */
export async function householdStatement(
  db: Queryable,
  community: Community,
  householdId: string,
  period: Period,
): Promise<Statement> {
  const tariff = (c: "electricity" | "heat") => tariffTicks(community.market, c);
  const fills = await loadFills(db, community.id, { householdId, from: period.from, to: period.to });
  const meter = (
    await meteredSlots(db, community.id, period.from, period.to, community.market.slotMinutes, householdId)
  ).map(metered);
  const { lines } = settle({ fills: bySlot(fills), metered: meter, tariff });
  return buildStatement({
    communityId: community.id,
    participantId: householdId,
    currency: community.market.currency,
    period,
    lines,
    utilityOnly: utilityOnlyBill(meter, tariff),
  });
}

/** Community KPIs for a period, from every household's trades and metered energy. */
export async function communityKpis(db: Queryable, community: Community, period: Period): Promise<Kpis> {
  const tariff = (c: "electricity" | "heat") => tariffTicks(community.market, c);
  const fills = await loadFills(db, community.id, { from: period.from, to: period.to });
  const slots = await meteredSlots(db, community.id, period.from, period.to, community.market.slotMinutes);
  const flows: FlowSlot[] = slots.map((h) => ({ ...metered(h), storage: h.storage }));
  const { lines } = settle({ fills: bySlot(fills), metered: flows, tariff });
  return computeKpis({ flows, ledger: lines, slotMinutes: community.market.slotMinutes, tariff });
}
