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
    let demand = 0;
    let gen = 0;
    let charge = 0;
    let discharge = 0;
    let net = 0;
    const behindMeter = !this.options.netMetered;
    for (const f of flows) {
      if (f.commodity !== "electricity") continue;
      net += f.importWh - f.exportWh;
      if (f.storage) {
        charge += f.importWh;
        discharge += f.exportWh;
      } else {
        demand += behindMeter ? (f.consumptionWh ?? f.importWh) : f.importWh;
        gen += behindMeter ? (f.productionWh ?? f.exportWh) : f.exportWh;
      }
    }
    this.demandWh += demand;
    this.generationWh += gen;
    this.metLocally += Math.min(demand, gen + discharge);
    this.usedLocally += Math.min(gen, demand + charge);
    if (net > 0) {
      this.gridImportWh += net;
      if (net > this.peakImportWh) {
        this.peakImportWh = net;
        this.peakImportSlot = slot;
      }
    } else {
      this.gridExportWh -= net;
    }
    this.utilityOnly = addMoney(this.utilityOnly, utilityOnlyBill(flows, this.tariff));
  }

  addLedger(lines: readonly LedgerLine[]): void {
    for (const l of lines) {
      if (l.account.startsWith("@")) continue;
      this.paid = addMoney(this.paid, l.amount);
      if (l.commodity !== "electricity") continue;
      if (l.kind === "local-buy") this.localTradedWh += l.energyWh;
      if (l.kind === "local-buy" || l.kind === "utility-buy" || l.kind === "deviation-buy") this.boughtWh += l.energyWh;
    }
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
