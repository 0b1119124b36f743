import {
  adaptLimitTicks,
  BatterySpec,
  batteryStep,
  type DeviceState,
  type ForecastSlot,
  HouseholdAgent,
  safeBatteryPower,
} from "@openlem/agents";
import {
  type BookOrder,
  clear,
  type EngineFill,
  type FlowSlot,
  KpiAccumulator,
  type MeteredSlot,
  marketParams,
  settle,
} from "@openlem/engine";
import {
  addMoney,
  gateClosesAtMs,
  isoOf,
  type Kpis,
  moneyOf,
  priceToTicks,
  type Source,
  ticksToPrice,
} from "@openlem/protocol";
import { buildCalendar, type Calendar } from "./calendar.js";
import { CommunityProfiles, deviceStateOf, householdSpecOf } from "./community-profiles.js";
import { type HouseDevices, PriceByHour, type SafetyFigures, SafetyLog, stepDevices } from "./house-physics.js";
import type { Household, LoadedScenario } from "./scenario.js";

export type { SafetyFigures };

export const VARIANTS = {
  conventional: "conventional (utility only)",
  local: "local market",
  "local+battery": "local market + communal battery",
} as const;
export type Variant = keyof typeof VARIANTS;

export interface HouseholdResult {
  id: string;
  /** What the household paid over the run (money units, 10⁻⁸; negative: it earned). */
  bill: number;
  /** The same household's bill with the utility alone for its metered energy. */
  utilityOnly: number;
  consumptionWh: number;
  productionWh: number;
  importWh: number;
  exportWh: number;
}

/** Per slot of the run, for charts. Prices in currency/kWh (NaN: no local trade). */
export interface Series {
  startMs: Float64Array;
  price: Float64Array;
  demandWh: Float64Array;
  generationWh: Float64Array;
  importWh: Float64Array;
  exportWh: Float64Array;
  batteryNetWh: Float64Array;
}

export interface VariantResult {
  variant: Variant;
  name: string;
  /** KPIs behind the meter: what each house used of its own PV counts as met locally. */
  kpis: Kpis;
  /**
   * The same on net metered energy (grid import and export only), the definition of studies
   * whose data are the meters' (Groene Mient: D3A): a house's own PV use is not counted.
   */
  kpisNetMetered: Kpis;
  households: HouseholdResult[];
  /** Communal battery and community plants: what they earned (money units, negative = earned). */
  others: { id: string; bill: number; exportWh: number; importWh: number }[];
  /** Volume-weighted local price by local hour (currency/kWh), null where nothing traded locally. */
  priceByHour: (number | null)[];
  series: Series;
  safety: SafetyFigures;
  retailPrice: number;
  feedInTariff: number;
}

export interface SimulateOptions {
  onProgress?: (done: number, total: number) => void;
}

interface HouseState extends HouseDevices {
  agent: HouseholdAgent | null;
}

/** What one slot brings to the book and the meters, gathered as the phases run. */
interface SlotBook {
  t: number;
  start: number;
  slot: string;
  orders: BookOrder[];
  metered: MeteredSlot[];
  flows: FlowSlot[];
  demand: number;
  generation: number;
}

/**
 * Runs one variant of a scenario in-process: every slot, each household's agent decides its
 * devices (safety last), the household bids its net position, the engine clears the book, and
 * the slot is settled against the metered energy. Agents plan once a day at local noon over
 * the next 24 hours, with prices forecast from the same slots a day earlier (the utility's
 * tariff before any are known) and their own load, PV and hot water known.
 */
export function simulate(loaded: LoadedScenario, variant: Variant, options: SimulateOptions = {}): VariantResult {
  const run = new VariantRun(loaded, variant);
  const n = run.slots;
  for (let t = 0; t < n; t++) {
    run.slot(t);
    if (options.onProgress && (t % run.slotsPerDay === run.slotsPerDay - 1 || t === n - 1))
      options.onProgress(t + 1, n);
  }
  return run.result();
}

/**
 * One variant's run, slot by slot, in phases: plan (daily, at local noon), households (devices,
 * meters and bids), plants and the communal battery (their offers), clear (the engine, then
 * each household's limits ramp towards what filled), and settle (the battery's charge, the
 * ledger, KPIs and series).
 */
class VariantRun {
  readonly slots: number;
  readonly slotsPerDay: number;
  private readonly cal: Calendar;
  private readonly minutes: number;
  private readonly hours: number;
  private readonly market: ReturnType<typeof marketParams>;
  private readonly tariff: () => ReturnType<typeof marketParams>["tariff"];
  private readonly retail: number;
  private readonly feedIn: number;
  private readonly trading: boolean;
  private readonly communal: LoadedScenario["scenario"]["communalBattery"];
  private readonly houses: HouseState[];
  private readonly cb: BatterySpec | undefined;
  private cbSoc: number;
  private readonly bills: Float64Array;
  private readonly utilityOnly: Float64Array;
  private readonly consumption: Float64Array;
  private readonly production: Float64Array;
  private readonly imports: Float64Array;
  private readonly exports: Float64Array;
  private readonly others: Map<string, { id: string; bill: number; exportWh: number; importWh: number }>;
  private readonly indexOf: Map<string, number>;
  private readonly kpis: KpiAccumulator;
  private readonly kpisNetMetered: KpiAccumulator;
  private readonly series: Series;
  private readonly priceByHour = new PriceByHour();
  private readonly safety = new SafetyLog();
  private readonly prof: CommunityProfiles;
  // each household's current bid and ask (ticks), ramping between its limits from slot to slot
  private readonly retailTicks: number;
  private readonly feedInTicks: number;
  private readonly step: number;
  private readonly bidTicks: Int32Array;
  private readonly askTicks: Int32Array;
  private readonly maxBuyTicks: Int32Array;
  private readonly minSellTicks: Int32Array;
  private readonly sourceLimitTicks: (Partial<Record<Source, number>> | undefined)[];
  private readonly offeredWh: Float64Array;
  private readonly filledWh: Float64Array;
  private seq = 0;

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly variant: Variant,
  ) {
    const { scenario, market: config, households } = loaded;
    this.cal = buildCalendar(scenario.period.from, scenario.period.days, scenario.timeZone, config.slotMinutes);
    this.slots = this.cal.startMs.length;
    this.minutes = config.slotMinutes;
    this.hours = this.minutes / 60;
    this.slotsPerDay = Math.round(1440 / this.minutes);
    this.market = marketParams(config, "electricity");
    this.tariff = () => this.market.tariff;
    this.retail = config.retailPrice;
    this.feedIn = config.feedInTariff;
    this.trading = variant !== "conventional";
    const communal = variant === "local+battery" ? scenario.communalBattery : undefined;
    this.communal = communal;
    this.houses = households.map((h) => {
      const spec = householdSpecOf(h);
      return {
        agent: spec ? new HouseholdAgent(spec, this.minutes) : null,
        socWh: h.battery ? h.battery.capacityWh * 0.5 : 0,
        tempC: h.boiler ? h.boiler.targetTempC : 0,
        evChargedWh: 0,
        lastHotMs: this.cal.startMs[0] ?? 0,
      };
    });
    this.cb = communal
      ? BatterySpec.parse({
          capacityWh: communal.capacityWh,
          maxChargeW: communal.powerW,
          maxDischargeW: communal.powerW,
          roundTripEfficiency: communal.roundTripEfficiency,
          minSoc: communal.minSoc,
          maxSoc: communal.maxSoc,
        })
      : undefined;
    this.cbSoc = this.cb ? this.cb.capacityWh * this.cb.minSoc : 0;
    const count = households.length;
    this.bills = new Float64Array(count);
    this.utilityOnly = new Float64Array(count);
    this.consumption = new Float64Array(count);
    this.production = new Float64Array(count);
    this.imports = new Float64Array(count);
    this.exports = new Float64Array(count);
    const otherIds = [...(communal ? [communal.id] : []), ...scenario.generators.map((g) => g.id)];
    this.others = new Map(otherIds.map((id) => [id, { id, bill: 0, exportWh: 0, importWh: 0 }]));
    this.indexOf = new Map(households.map((h, i) => [h.id, i]));
    this.kpis = new KpiAccumulator(this.minutes, this.tariff);
    this.kpisNetMetered = new KpiAccumulator(this.minutes, this.tariff);
    const n = this.slots;
    this.series = {
      startMs: this.cal.startMs,
      price: new Float64Array(n).fill(Number.NaN),
      demandWh: new Float64Array(n),
      generationWh: new Float64Array(n),
      importWh: new Float64Array(n),
      exportWh: new Float64Array(n),
      batteryNetWh: new Float64Array(n),
    };
    this.prof = new CommunityProfiles(loaded, this.cal);
    this.retailTicks = priceToTicks(this.retail);
    this.feedInTicks = priceToTicks(this.feedIn);
    this.step = priceToTicks(scenario.bidding.stepPrice);
    this.bidTicks = Int32Array.from(households, (h) =>
      Math.round((this.feedInTicks + priceToTicks(h.maxBuyPrice)) / 2),
    );
    this.askTicks = Int32Array.from(households, (h) =>
      Math.round((priceToTicks(h.minSellPrice) + this.retailTicks) / 2),
    );
    this.maxBuyTicks = Int32Array.from(households, (h) => priceToTicks(h.maxBuyPrice));
    this.minSellTicks = Int32Array.from(households, (h) => priceToTicks(h.minSellPrice));
    this.sourceLimitTicks = households.map((h) =>
      h.sourceLimits
        ? (Object.fromEntries(
            Object.entries(h.sourceLimits).map(([s, p]) => [s, priceToTicks(p as number)]),
          ) as Partial<Record<Source, number>>)
        : undefined,
    );
    this.offeredWh = new Float64Array(count);
    this.filledWh = new Float64Array(count);
  }

  private stateOf(h: Household, st: HouseState, t: number): DeviceState {
    return deviceStateOf(h, this.prof.evSession(h, t), st);
  }

  /** One slot, phase by phase. */
  slot(t: number): void {
    const start = this.cal.startMs[t] as number;
    const slot = isoOf(start);
    if (t === 0 || (this.cal.localHour[t] === 12 && t > 0)) this.plan(t);
    const book: SlotBook = { t, start, slot, orders: [], metered: [], flows: [], demand: 0, generation: 0 };
    this.households(book);
    this.plants(book);
    this.batteryOffers(book);
    const fills = this.clear(book);
    this.settleBattery(book, fills);
    this.settle(book, fills);
  }

  /** Plan: each agent over the next 24 hours, prices forecast from the same slots a day earlier. */
  private plan(t0: number): void {
    const { households } = this.loaded;
    const len = Math.min(this.slotsPerDay, this.slots - t0);
    for (let i = 0; i < households.length; i++) {
      const st = this.houses[i] as HouseState;
      if (!st.agent) continue;
      const h = households[i] as Household;
      const forecast: ForecastSlot[] = [];
      for (let k = 0; k < len; k++) {
        const t = t0 + k;
        const past = t - this.slotsPerDay >= 0 ? (this.series.price[t - this.slotsPerDay] as number) : Number.NaN;
        const local = this.trading && Number.isFinite(past) ? past : Number.NaN;
        forecast.push({
          startMs: this.cal.startMs[t] as number,
          buyPrice: Number.isFinite(local) ? Math.min(this.retail, local) : this.retail,
          sellPrice: Number.isFinite(local) ? Math.max(this.feedIn, local) : this.feedIn,
          netLoadWh: this.prof.loadWh(h, t) - this.prof.pvWh(h, t),
          drawWh: this.prof.drawWh(h, t),
        });
      }
      st.agent.plan(forecast, this.stateOf(h, st, t0), this.cal.startMs[t0] as number);
    }
  }

  /** Households: devices decided (safety last) and stepped, meters read, net positions bid. */
  private households(b: SlotBook): void {
    const { households } = this.loaded;
    const { t, start, slot } = b;
    const { minutes, hours, market } = this;
    for (let i = 0; i < households.length; i++) {
      const h = households[i] as Household;
      const st = this.houses[i] as HouseState;
      const load = this.prof.loadWh(h, t);
      const pv = this.prof.pvWh(h, t);
      let net = load - pv;
      let used = load;
      let batteryW = 0;
      if (st.agent) {
        const state = this.stateOf(h, st, t);
        const dWh = this.prof.drawWh(h, t);
        const d = st.agent.decide(start, state, { netLoadWh: net, drawWh: dWh });
        net = d.netWh;
        batteryW = d.batteryW;
        used += stepDevices(h, st, d, dWh, this.prof.evSession(h, t), start, minutes, this.safety);
        st.agent.afterSlot(d, this.stateOf(h, st, t));
      }
      b.demand += used;
      b.generation += pv;
      const importWh = Math.max(0, net);
      const exportWh = Math.max(0, -net);
      this.consumption[i] = (this.consumption[i] as number) + used;
      this.production[i] = (this.production[i] as number) + pv;
      this.imports[i] = (this.imports[i] as number) + importWh;
      this.exports[i] = (this.exports[i] as number) + exportWh;
      b.metered.push({ householdId: h.id, slot, commodity: "electricity", importWh, exportWh });
      // the household battery behind the meter moves local energy in time, as storage does
      const battWh = Math.round(batteryW * hours);
      b.flows.push({
        householdId: h.id,
        slot,
        commodity: "electricity",
        importWh: Math.max(0, net + battWh),
        exportWh: Math.max(0, -(net + battWh)),
        consumptionWh: used,
        productionWh: pv,
      });
      if (battWh !== 0)
        b.flows.push({
          householdId: `${h.id}#battery`,
          slot,
          commodity: "electricity",
          importWh: Math.max(0, -battWh),
          exportWh: Math.max(0, battWh),
          storage: true,
        });
      this.utilityOnly[i] = addMoney(
        this.utilityOnly[i] as number,
        moneyOf(market.tariff?.retail ?? 0, importWh) - moneyOf(market.tariff?.feedIn ?? 0, exportWh),
      );
      this.offeredWh[i] = this.trading ? net : 0;
      this.filledWh[i] = 0;
      if (!this.trading || net === 0) continue;
      const buy = net > 0;
      b.orders.push({
        id: `${h.id}@${t}`,
        seq: ++this.seq,
        householdId: h.id,
        householdKey: i,
        side: buy ? "buy" : "sell",
        commodity: "electricity",
        steps: [{ priceTicks: (buy ? this.bidTicks[i] : this.askTicks[i]) as number, energyWh: Math.abs(net) }],
        source: buy ? null : batteryW > 0 ? "battery" : "pv",
        sourceLimitTicks: buy ? this.sourceLimitTicks[i] : undefined,
      });
    }
  }

  /** The community's plants: metered, and offered at their ask. */
  private plants(b: SlotBook): void {
    const { t, slot } = b;
    for (const g of this.loaded.scenario.generators) {
      const wh = this.prof.generatorWh(g, t);
      b.generation += wh;
      b.metered.push({ householdId: g.id, slot, commodity: "electricity", importWh: 0, exportWh: wh });
      b.flows.push({ householdId: g.id, slot, commodity: "electricity", importWh: 0, exportWh: wh, productionWh: wh });
      const o = this.others.get(g.id);
      if (o) o.exportWh += wh;
      if (this.trading && wh > 0)
        b.orders.push({
          id: `${g.id}@${t}`,
          seq: ++this.seq,
          householdId: g.id,
          side: "sell",
          commodity: "electricity",
          steps: [{ priceTicks: priceToTicks(g.ask), energyWh: wh }],
          source: g.source as Source,
        });
    }
  }

  /** The communal battery offers what its power and state of charge allow. */
  private batteryOffers(b: SlotBook): void {
    const { cb, communal, minutes, hours } = this;
    const { t } = b;
    if (cb && communal) {
      const chargeWh = Math.floor(-safeBatteryPower(cb, this.cbSoc, -1e9, minutes) * hours);
      const dischargeWh = Math.floor(safeBatteryPower(cb, this.cbSoc, 1e9, minutes) * hours);
      const base = { householdId: communal.id, commodity: "electricity" as const };
      if (chargeWh > 0)
        b.orders.push({
          ...base,
          id: `${communal.id}+${t}`,
          seq: ++this.seq,
          side: "buy",
          steps: [{ priceTicks: priceToTicks(communal.buyPrice), energyWh: chargeWh }],
          source: null,
        });
      if (dischargeWh > 0)
        b.orders.push({
          ...base,
          id: `${communal.id}-${t}`,
          seq: ++this.seq,
          side: "sell",
          steps: [{ priceTicks: priceToTicks(communal.sellPrice), energyWh: dischargeWh }],
          source: "battery",
        });
    }
  }

  /** Clear: the engine at gate closure; then each household's limit ramps by what filled. */
  private clear(b: SlotBook): readonly EngineFill[] {
    const { households } = this.loaded;
    const { market } = this;
    const { t, start, orders } = b;
    let fills: readonly EngineFill[] = [];
    if (this.trading && orders.length > 0) {
      const r = clear({ market, orders, atMs: gateClosesAtMs(start, this.loaded.market) });
      fills = r.fills;
      for (const f of fills) {
        if (f.counterparty !== "local") continue;
        const i = this.indexOf.get(f.householdId);
        if (i !== undefined) this.filledWh[i] = (this.filledWh[i] as number) + f.energyWh;
      }
      for (let i = 0; i < households.length; i++) {
        const offered = this.offeredWh[i] as number;
        if (offered === 0) continue;
        const full = (this.filledWh[i] as number) >= Math.abs(offered);
        if (offered > 0)
          this.bidTicks[i] = adaptLimitTicks(
            "buy",
            this.bidTicks[i] as number,
            full,
            { minTicks: this.feedInTicks, maxTicks: this.maxBuyTicks[i] as number },
            this.step,
          );
        else
          this.askTicks[i] = adaptLimitTicks(
            "sell",
            this.askTicks[i] as number,
            full,
            { minTicks: this.minSellTicks[i] as number, maxTicks: this.retailTicks },
            this.step,
          );
      }
      let value = 0;
      let localWh = 0;
      for (const mk of r.markets) {
        if (mk.priceTicks === null || mk.localWh === 0) continue;
        value += mk.priceTicks * mk.localWh;
        localWh += mk.localWh;
      }
      if (localWh > 0) {
        const avg = ticksToPrice(Math.round(value / localWh));
        this.series.price[t] = avg;
        this.priceByHour.add(this.cal.localHour[t] as number, avg, localWh);
      }
    }
    return fills;
  }

  /** The communal battery's charge follows its fills; it is metered like a household. */
  private settleBattery(b: SlotBook, fills: readonly EngineFill[]): void {
    const { cb, communal, minutes, hours } = this;
    const { t, slot } = b;
    if (cb && communal) {
      let net = 0;
      for (const f of fills) if (f.householdId === communal.id) net += f.side === "buy" ? f.energyWh : -f.energyWh;
      this.cbSoc = batteryStep(cb, this.cbSoc, -net / hours, minutes);
      this.safety.soc(this.cbSoc / cb.capacityWh);
      const o = this.others.get(communal.id);
      if (o) {
        o.importWh += Math.max(0, net);
        o.exportWh += Math.max(0, -net);
      }
      this.series.batteryNetWh[t] = net;
      b.metered.push({
        householdId: communal.id,
        slot,
        commodity: "electricity",
        importWh: Math.max(0, net),
        exportWh: Math.max(0, -net),
      });
      b.flows.push({
        householdId: communal.id,
        slot,
        commodity: "electricity",
        importWh: Math.max(0, net),
        exportWh: Math.max(0, -net),
        storage: true,
      });
    }
  }

  /** Settle: the ledger against the metered energy, bills, KPIs and the slot's series. */
  private settle(b: SlotBook, fills: readonly EngineFill[]): void {
    const { t, slot, metered, flows } = b;
    const { lines } = settle({ fills: [{ slot, fills }], metered, tariff: this.tariff });
    for (const l of lines) {
      if (l.account.startsWith("@")) continue;
      const i = this.indexOf.get(l.account);
      if (i !== undefined) this.bills[i] = addMoney(this.bills[i] as number, l.amount);
      else {
        const o = this.others.get(l.account);
        if (o) o.bill = addMoney(o.bill, l.amount);
      }
    }
    this.kpis.addSlot(slot, flows);
    this.kpis.addLedger(lines);
    this.kpisNetMetered.addSlot(
      slot,
      flows.map(({ consumptionWh: _c, productionWh: _p, ...metered }) => metered),
    );
    this.kpisNetMetered.addLedger(lines);
    let net = 0;
    for (const f of flows) net += f.importWh - f.exportWh;
    this.series.demandWh[t] = b.demand;
    this.series.generationWh[t] = b.generation;
    this.series.importWh[t] = Math.max(0, net);
    this.series.exportWh[t] = Math.max(0, -net);
  }

  result(): VariantResult {
    const { households } = this.loaded;
    const variant = this.variant;
    return {
      variant,
      name: VARIANTS[variant],
      kpis: this.kpis.result(),
      kpisNetMetered: this.kpisNetMetered.result(),
      households: households.map((h, i) => ({
        id: h.id,
        bill: this.bills[i] as number,
        utilityOnly: this.utilityOnly[i] as number,
        consumptionWh: this.consumption[i] as number,
        productionWh: this.production[i] as number,
        importWh: this.imports[i] as number,
        exportWh: this.exports[i] as number,
      })),
      others: [...this.others.values()],
      priceByHour: this.priceByHour.result(),
      series: this.series,
      safety: this.safety.figures,
      retailPrice: this.retail,
      feedInTariff: this.feedIn,
    };
  }
}
