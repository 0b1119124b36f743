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
import { loadFills } from "./results.js";

function bySlot(fills: Awaited<ReturnType<typeof loadFills>>): SlotFills[] {
  const m = new Map<string, SlotFills["fills"][number][]>();
  for (const { slot, fill } of fills) m.set(slot, [...(m.get(slot) ?? []), fill]);
  return [...m].map(([slot, f]) => ({ slot, fills: f }));
}

const metered = (h: HouseholdSlot): MeteredSlot => ({
  householdId: h.householdId,
  slot: h.slot,
  commodity: "electricity",
  importWh: h.importWh,
  exportWh: h.exportWh,
});

/**
 * Slots that traded but whose readings are not in yet count as metered exactly as traded, so
 * that the utility-only bill and the savings compare like with like while readings arrive.
 */
function untilMetered(
  fills: SlotFills[],
  metered: readonly MeteredSlot[],
  unmetered: { householdId: string; slot: string }[],
): MeteredSlot[] {
  const missing = new Set(unmetered.map((u) => `${u.householdId}|${u.slot}`));
  const net = new Map<string, MeteredSlot>();
  for (const { slot, fills: fs } of fills) {
    for (const f of fs) {
      const key = `${f.householdId}|${slot}`;
      if (!missing.has(key) || f.commodity !== "electricity") continue;
      const m = net.get(key) ?? {
        householdId: f.householdId,
        slot,
        commodity: "electricity",
        importWh: 0,
        exportWh: 0,
      };
      if (f.side === "buy") m.importWh += f.energyWh;
      else m.exportWh += f.energyWh;
      net.set(key, m);
    }
  }
  return [...metered, ...net.values()];
}

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
  const slotFills = bySlot(fills);
  const { lines, unmetered } = settle({ fills: slotFills, metered: meter, tariff });
  return buildStatement({
    communityId: community.id,
    householdId: householdId,
    currency: community.market.currency,
    period,
    lines,
    utilityOnly: utilityOnlyBill(untilMetered(slotFills, meter, unmetered), tariff),
  });
}

/** Community KPIs for a period, from every household's trades and metered energy. */
export async function communityKpis(db: Queryable, community: Community, period: Period): Promise<Kpis> {
  const tariff = (c: "electricity" | "heat") => tariffTicks(community.market, c);
  const fills = await loadFills(db, community.id, { from: period.from, to: period.to });
  const slots = await meteredSlots(db, community.id, period.from, period.to, community.market.slotMinutes);
  const flows: FlowSlot[] = slots.map((h) => ({ ...metered(h), storage: h.storage }));
  const slotFills = bySlot(fills);
  const { lines, unmetered } = settle({ fills: slotFills, metered: flows, tariff });
  const storage = new Set(slots.filter((h) => h.storage).map((h) => h.householdId));
  const all: FlowSlot[] = untilMetered(slotFills, flows, unmetered).map((f) => ({
    ...f,
    storage: storage.has(f.householdId),
  }));
  return computeKpis({ flows: all, ledger: lines, slotMinutes: community.market.slotMinutes, tariff });
}
