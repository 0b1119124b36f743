import { addMoney, averagePowerW, type Commodity, formatMoney, type Kpis } from "@openlem/protocol";
import type { SlotSettlement } from "./settle-columns.js";
import type { LedgerLine, MeteredSlot } from "./settlement.js";
import { utilityOnlyBill } from "./settlement.js";
import type { TariffTicks } from "./types.js";

/** A slot's flows summed over its participants (electricity, Wh; the bill in money units). */
export interface SlotTotals {
  demandWh: number;
  generationWh: number;
  /** Storage (a communal battery): energy it charged and discharged. */
  chargeWh: number;
  dischargeWh: number;
  /** The community's net import (< 0: net export). */
  netWh: number;
  /** What the participants would have paid the utility alone for this slot's imports and exports. */
  utilityOnly: number;
}

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
  const bySlot = new Map<string, FlowSlot[]>();
  for (const f of input.flows) {
    const list = bySlot.get(f.slot);
    if (list) list.push(f);
    else bySlot.set(f.slot, [f]);
  }
  const acc = new KpiAccumulator(input.slotMinutes, input.tariff);
  for (const slot of [...bySlot.keys()].sort()) acc.addSlot(slot, bySlot.get(slot) ?? []);
  acc.addLedger(input.ledger);
  return acc.result();
}

/**
 * The same KPIs gathered slot by slot, for runs too long to keep every flow and ledger line
 * (a simulated year of a large community). Give each slot's flows once, in slot order.
 * With `netMetered`, consumption and production behind the meter are ignored: demand is what
 * the meters imported and generation what they exported, the definition of studies whose
 * data are the meters' (Groene Mient: D3A).
 */
export class KpiAccumulator {
  private demandWh = 0;
  private generationWh = 0;
  private metLocally = 0;
  private usedLocally = 0;
  private gridImportWh = 0;
  private gridExportWh = 0;
  private peakImportWh = 0;
  private peakImportSlot: string | null = null;
  private localTradedWh = 0;
  private boughtWh = 0;
  private paid = 0;
  private utilityOnly = 0;

  constructor(
    private readonly slotMinutes: number,
    private readonly tariff: (c: Commodity) => TariffTicks | null,
    private readonly options: { netMetered?: boolean } = {},
  ) {}

  addSlot(slot: string, flows: readonly FlowSlot[]): void {
    let demandWh = 0;
    let generationWh = 0;
    let chargeWh = 0;
    let dischargeWh = 0;
    let netWh = 0;
    const behindMeter = !this.options.netMetered;
    for (const f of flows) {
      if (f.commodity !== "electricity") continue;
      netWh += f.importWh - f.exportWh;
      if (f.storage) {
        chargeWh += f.importWh;
        dischargeWh += f.exportWh;
      } else {
        demandWh += behindMeter ? (f.consumptionWh ?? f.importWh) : f.importWh;
        generationWh += behindMeter ? (f.productionWh ?? f.exportWh) : f.exportWh;
      }
    }
    const utilityOnly = utilityOnlyBill(flows, this.tariff);
    this.addSlotTotals(slot, { demandWh, generationWh, chargeWh, dischargeWh, netWh, utilityOnly });
  }

  /**
   * A slot given by its totals over all participants, for callers that keep flows in columns:
   * what `addSlot` sums from the flows (demand and generation as this accumulator counts
   * them, storage's charge and discharge, the community's net import, the utility-only bill).
   */
  addSlotTotals(slot: string, t: SlotTotals): void {
    this.demandWh += t.demandWh;
    this.generationWh += t.generationWh;
    this.metLocally += Math.min(t.demandWh, t.generationWh + t.dischargeWh);
    this.usedLocally += Math.min(t.generationWh, t.demandWh + t.chargeWh);
    if (t.netWh > 0) {
      this.gridImportWh += t.netWh;
      if (t.netWh > this.peakImportWh) {
        this.peakImportWh = t.netWh;
        this.peakImportSlot = slot;
      }
    } else {
      this.gridExportWh -= t.netWh;
    }
    this.utilityOnly = addMoney(this.utilityOnly, t.utilityOnly);
  }

  addLedger(lines: readonly LedgerLine[]): void {
    let paid = 0;
    let localBoughtWh = 0;
    let boughtWh = 0;
    for (const l of lines) {
      if (l.account.startsWith("@")) continue;
      paid = addMoney(paid, l.amount);
      if (l.commodity !== "electricity") continue;
      if (l.kind === "local-buy") localBoughtWh += l.energyWh;
      if (l.kind === "local-buy" || l.kind === "utility-buy" || l.kind === "deviation-buy") boughtWh += l.energyWh;
    }
    this.addSettled({ paid, localBoughtWh, boughtWh });
  }

  /** What a slot's settlement booked, as `settleColumns` sums it (the participants' lines, not the utility's or the grid's). */
  addSettled(s: Pick<SlotSettlement, "paid" | "localBoughtWh" | "boughtWh">): void {
    this.paid = addMoney(this.paid, s.paid);
    this.localTradedWh += s.localBoughtWh;
    this.boughtWh += s.boughtWh;
  }

  result(): Kpis {
    return {
      demandWh: this.demandWh,
      generationWh: this.generationWh,
      localTradedWh: this.localTradedWh,
      boughtWh: this.boughtWh,
      gridImportWh: this.gridImportWh,
      gridExportWh: this.gridExportWh,
      selfSufficiency: this.demandWh > 0 ? this.metLocally / this.demandWh : null,
      selfConsumption: this.generationWh > 0 ? this.usedLocally / this.generationWh : null,
      localTradeShare: this.boughtWh > 0 ? this.localTradedWh / this.boughtWh : null,
      savings: formatMoney(this.utilityOnly - this.paid),
      peakImportW: averagePowerW(this.peakImportWh, this.slotMinutes),
      peakImportSlot: this.peakImportSlot,
    };
  }
}
