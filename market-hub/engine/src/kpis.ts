import { addMoney, averagePowerW, type Commodity, formatMoney, type Kpis } from "@openlem/protocol";
import type { LedgerLine, MeteredSlot } from "./settlement.js";
import { utilityOnlyBill } from "./settlement.js";
import type { TariffTicks } from "./types.js";

/**
 * A participant's flows in one slot. Meters see import and export; where a household also
 * measures its consumption and production behind the meter, those are given too (else
 * consumption = import and production = export). Storage participants (a communal
 * battery) import to charge and export to discharge; they are neither demand nor
 * generation but move local energy in time.
 */
export interface FlowSlot extends MeteredSlot {
  consumptionWh?: number;
  productionWh?: number;
  storage?: boolean;
}

export interface KpiInput {
  flows: readonly FlowSlot[];
  ledger: readonly LedgerLine[];
  slotMinutes: number;
  tariff: (c: Commodity) => TariffTicks | null;
}

/**
 * Community KPIs over the given slots (electricity), as the field defines them:
 * - self-sufficiency: demand met by local generation, own or traded or via storage, per
 *   slot min(demand, generation + discharge), over total demand;
 * - self-consumption: generation used in the community, per slot
 *   min(generation, demand + charge), over total generation;
 * - local trade share: energy bought locally over all energy bought (local, utility and
 *   deviation purchases);
 * - savings: the utility-only bill of all participants minus what they paid;
 * - peak import: the largest community net import of a slot, as average power.
 */
export function computeKpis(input: KpiInput): Kpis {
  const perSlot = new Map<string, { demand: number; gen: number; charge: number; discharge: number; net: number }>();
  let demandWh = 0;
  let generationWh = 0;
  for (const f of input.flows) {
    if (f.commodity !== "electricity") continue;
    const s = perSlot.get(f.slot) ?? { demand: 0, gen: 0, charge: 0, discharge: 0, net: 0 };
    s.net += f.importWh - f.exportWh;
    if (f.storage) {
      s.charge += f.importWh;
      s.discharge += f.exportWh;
    } else {
      const c = f.consumptionWh ?? f.importWh;
      const p = f.productionWh ?? f.exportWh;
      s.demand += c;
      s.gen += p;
      demandWh += c;
      generationWh += p;
    }
    perSlot.set(f.slot, s);
  }
  let metLocally = 0;
  let usedLocally = 0;
  let gridImportWh = 0;
  let gridExportWh = 0;
  let peakImportWh = 0;
  let peakImportSlot: string | null = null;
  for (const [slot, s] of [...perSlot].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    metLocally += Math.min(s.demand, s.gen + s.discharge);
    usedLocally += Math.min(s.gen, s.demand + s.charge);
    if (s.net > 0) {
      gridImportWh += s.net;
      if (s.net > peakImportWh) {
        peakImportWh = s.net;
        peakImportSlot = slot;
      }
    } else {
      gridExportWh -= s.net;
    }
  }
  let localTradedWh = 0;
  let boughtWh = 0;
  let paid = 0;
  for (const l of input.ledger) {
    if (l.account.startsWith("@")) continue;
    paid = addMoney(paid, l.amount);
    if (l.commodity !== "electricity") continue;
    if (l.kind === "local-buy") localTradedWh += l.energyWh;
    if (l.kind === "local-buy" || l.kind === "utility-buy" || l.kind === "deviation-buy") boughtWh += l.energyWh;
  }
  const utilityOnly = utilityOnlyBill(input.flows, input.tariff);
  return {
    demandWh,
    generationWh,
    localTradedWh,
    boughtWh,
    gridImportWh,
    gridExportWh,
    selfSufficiency: demandWh > 0 ? metLocally / demandWh : null,
    selfConsumption: generationWh > 0 ? usedLocally / generationWh : null,
    localTradeShare: boughtWh > 0 ? localTradedWh / boughtWh : null,
    savings: formatMoney(utilityOnly - paid),
    peakImportW: averagePowerW(peakImportWh, input.slotMinutes),
    peakImportSlot,
  };
}
