import { adaptLimitTicks, BatterySpec, batteryStep, safeBatteryPower } from "@openlem/agents";
import { KpiAccumulator, marketParams, type SlotTotals, type TariffTicks } from "@openlem/engine";
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
import { CommunityProfiles } from "./community-profiles.js";
import { PriceByHour, type SafetyFigures, SafetyLog } from "./house-physics.js";
import { type SlotClearing, SlotMarket } from "./market/slot-market.js";
import type { LoadedScenario } from "./scenario.js";
import { dealShards, HouseholdShard, MAX_STEPS, type ShardColumns, shardColumns } from "./shards/household-shard.js";
import { ShardPool } from "./shards/pool.js";

export type { SafetyFigures };

export const VARIANTS = {
  conventional: "conventional (utility only)",
  local: "local market",
  "local+battery": "local market + communal battery",
  /**
   * D3A in a call auction, as fair baseline for the planners: its ramps end at the tariff, so
   * the households bid their limits; the tanks run on their thermostats, the battery at its limits.
   */
  d3a: "local market + communal battery, D3A's strategies in a call auction (no planners)",
  /** The households' and the battery's prices ramp from slot to slot (D3A ramps within a market, several rounds a slot). */
  ramps: "local market + communal battery, prices ramping from slot to slot (no planners)",
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
  /** Energy traded locally at that price. */
  localWh: Float64Array;
  /** The households' and plants' net at their meters, before the communal battery (+ import, − export). */
  communityNetWh: Float64Array;
  demandWh: Float64Array;
  generationWh: Float64Array;
  importWh: Float64Array;
  exportWh: Float64Array;
  batteryNetWh: Float64Array;
}

/**
 * The volume-weighted local price of the slots in which the households and plants together
 * had energy to spare, before the communal battery took any (the study's "sunny hours");
 * null when none traded.
 */
export function surplusPrice(series: Series): number | null {
  let value = 0;
  let wh = 0;
  for (let t = 0; t < series.price.length; t++) {
    const q = series.localWh[t] as number;
    if (q === 0 || (series.communityNetWh[t] as number) >= 0) continue;
    value += priceToTicks(series.price[t] as number) * q;
    wh += q;
  }
  return wh > 0 ? ticksToPrice(Math.round(value / wh)) : null;
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
  /**
   * What the households' meters read beyond what they traded, settled at retail (import) and
   * feed-in (export): Wh, and the money it came to (units of 10⁻⁸, + paid); in-process runs only.
   */
  deviation?: { importWh: number; exportWh: number; cost: number };
  /** The net-metered self-sufficiency of each local day of the run (null: a day without demand); in-process runs only. */
  dailySelfSufficiencyNetMetered?: (number | null)[];
  households: HouseholdResult[];
  /** Communal battery and community plants: what they earned (money units, negative = earned). */
  others: { id: string; bill: number; exportWh: number; importWh: number }[];
  /** Volume-weighted local price by local hour (currency/kWh), null where nothing traded locally. */
  priceByHour: (number | null)[];
  /**
   * Volume-weighted local price in the slots in which the households and plants had energy to
   * spare (the study's "sunny hours"), currency/kWh; null when none traded.
   */
  surplusPrice: number | null;
  series: Series;
  safety: SafetyFigures;
  retailPrice: number;
  feedInTariff: number;
  localGridFee: number;
}

export interface SimulateOptions {
  onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads that run shares of the households beside the main thread (default 0: all
   * in the calling thread). The results are the same to the bit whatever the number: within a
   * slot's phase the households do not depend on each other, only on the market's prices and
   * fills, which every shard gets alike.
   */
  workers?: number;
}

/** What one slot brings to the book and the meters, gathered as the phases run. */
interface SlotBook {
  t: number;
  start: number;
  slot: string;
  demand: number;
  generation: number;
  /** The flows' totals, behind the meter and net metered (the storage figures are shared). */
  totals: SlotTotals;
  netMetered: { demandWh: number; generationWh: number };
  /** The communal battery's rows in the book (−1: none). */
  cbBuyRow: number;
  cbSellRow: number;
  /** The households' and plants' net at the meters, before the communal battery (+ import). */
  net: number;
}

/**
 * Runs one variant of a scenario in-process: every slot, each household's agent decides its
 * devices (safety last), the household bids its net position, the engine clears the book, and
 * the slot is settled against the metered energy. Agents plan once a day at local noon over
 * the next 24 hours, with prices forecast from the same slots a day earlier (the utility's
 * tariff before any are known), load and PV forecast from the household's own history, and
 * hot water from the boiler's usual draws.
 */
export function simulate(loaded: LoadedScenario, variant: Variant, options: SimulateOptions = {}): VariantResult {
  const run = new VariantRun(loaded, variant, Math.max(0, Math.floor(options.workers ?? 0)));
  try {
    for (let t = 0; t <= run.slots; t++) {
      run.advance(t);
      if (t > 0 && (t % run.slotsPerDay === 0 || t === run.slots)) options.onProgress?.(t, run.slots);
    }
    return run.result();
  } finally {
    run.close();
  }
}

/** A shard of the households and where its slots are written: in this thread or by a worker. */
interface ShardView {
  members: readonly number[];
  columns: ShardColumns;
}

/**
 * One variant's run, slot by slot in two phases: the households' shards (`HouseholdShard`)
 * plan and bid, side by side in worker threads when there are some; then the households'
 * bids, plants and the communal battery (their offers) clear (the engine; in the ramps variant
 * each household's limits then ramp towards what filled), and the fills go back to the
 * shards. In the next step the shards' devices act on their fills and their meters are read,
 * and the slot settles (the ledger, KPIs and series) while the shards bid for the next.
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
  /** Whether the devices plan (OpenLEM's agents) or only react (D3A's strategies: the d3a and ramps variants). */
  private readonly planning: boolean;
  /** Whether prices ramp from slot to slot by what filled (the ramps variant). */
  private readonly ramping: boolean;
  private readonly communal: LoadedScenario["scenario"]["communalBattery"];
  /** The shard this thread runs, the workers' (if any), and every shard's columns in household order. */
  private readonly own: HouseholdShard;
  private readonly pool: ShardPool | null;
  private readonly shards: ShardView[];
  /** Per household: its shard, and its place in that shard's columns. */
  private readonly shardOf: Int32Array;
  private readonly placeOf: Int32Array;
  private readonly cb: BatterySpec | undefined;
  private cbSoc: number;
  /**
   * The communal battery's bid and ask (ticks). At its limits when it plans; in the ramps
   * variant they ramp as D3A's storage does, the bid up from the feed-in tariff to its buy
   * limit, the ask down from the retail price to its sell floor, a step a slot while unfilled.
   */
  private cbBidTicks = 0;
  private cbAskTicks = 0;

  private readonly bills: Float64Array;
  private readonly utilityOnly: Float64Array;
  private readonly consumption: Float64Array;
  private readonly production: Float64Array;
  private readonly imports: Float64Array;
  private readonly exports: Float64Array;
  private readonly others: Map<string, { id: string; bill: number; exportWh: number; importWh: number }>;
  private readonly kpis: KpiAccumulator;
  private readonly kpisNetMetered: KpiAccumulator;
  /** The day under way's net-metered KPIs, and the days' self-sufficiency so far. */
  private dayKpis: { day: number; kpis: KpiAccumulator } | null = null;
  private readonly dailySelfSufficiency: (number | null)[] = [];
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
  /** Each household's metered net and its order's row in the slot (−1: none), for its deviation. */
  private readonly netWh: Float64Array;
  private readonly rowOf: Int32Array;
  /** Each household's rows in the slot's book (its bid's steps, from `rowOf`), and what it traded (Wh, + bought). */
  private readonly rowsOf: Int32Array;
  private readonly tradedWh: Float64Array;
  /** The slot cleared whose meters are read at the next step. */
  private pending: { book: SlotBook; cleared: SlotClearing | null } | null = null;
  /** What the households' meters read beyond what they traded (Wh), and what that cost them at retail and feed-in (money units). */
  private readonly deviation = { importWh: 0, exportWh: 0, cost: 0 };
  /** The slot's book and meters: the households (in the scenario's order), the plants, the communal battery. */
  private readonly book: SlotMarket;
  private readonly participantIds: readonly string[];
  private readonly communalParticipant: number;
  private readonly tariffTicks: TariffTicks;
  /** A slot that traded nothing: every participant settles its meters against the utility. */
  private readonly unfilled: SlotClearing = {
    local: new Float64Array(0),
    localValue: new Float64Array(0),
    utility: new Float64Array(0),
    localWh: 0,
    localTicksWh: 0,
  };

  constructor(
    private readonly loaded: LoadedScenario,
    private readonly variant: Variant,
    workers: number,
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
    this.planning = variant !== "ramps" && variant !== "d3a";
    this.ramping = variant === "ramps";
    const communal = ["local+battery", "ramps", "d3a"].includes(variant) ? scenario.communalBattery : undefined;
    this.communal = communal;
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
    if (communal) {
      this.cbBidTicks = this.ramping ? priceToTicks(config.feedInTariff) : priceToTicks(communal.buyPrice);
      this.cbAskTicks = this.ramping ? priceToTicks(config.retailPrice) : priceToTicks(communal.sellPrice);
    }
    const count = households.length;
    this.bills = new Float64Array(count);
    this.utilityOnly = new Float64Array(count);
    this.consumption = new Float64Array(count);
    this.production = new Float64Array(count);
    this.imports = new Float64Array(count);
    this.exports = new Float64Array(count);
    const otherIds = [...(communal ? [communal.id] : []), ...scenario.generators.map((g) => g.id)];
    this.others = new Map(otherIds.map((id) => [id, { id, bill: 0, exportWh: 0, importWh: 0 }]));
    this.kpis = new KpiAccumulator(this.minutes, this.tariff);
    this.kpisNetMetered = new KpiAccumulator(this.minutes, this.tariff, { netMetered: true });
    const n = this.slots;
    // the workers read the prices of the day before from the run's own series, in shared memory
    const price = new Float64Array(workers > 0 ? new SharedArrayBuffer(n * 8) : new ArrayBuffer(n * 8));
    this.series = {
      startMs: this.cal.startMs,
      price: price.fill(Number.NaN),
      localWh: new Float64Array(n),
      communityNetWh: new Float64Array(n),
      demandWh: new Float64Array(n),
      generationWh: new Float64Array(n),
      importWh: new Float64Array(n),
      exportWh: new Float64Array(n),
      batteryNetWh: new Float64Array(n),
    };
    this.prof = new CommunityProfiles(loaded, this.cal);
    const mode = {
      trading: this.trading,
      planning: this.planning,
      forecastError: this.trading && loaded.scenario.bidding.forecastError,
    };
    const dealt = dealShards(households.length, workers);
    const own = dealt[0] as number[];
    this.own = new HouseholdShard(loaded, mode, own, this.cal, this.prof);
    this.pool = dealt.length > 1 ? new ShardPool(loaded, mode, dealt.slice(1), price) : null;
    this.shards = dealt.map((members, k) => ({
      members,
      columns: k === 0 ? shardColumns(members.length, false) : (this.pool as ShardPool).columns(k - 1),
    }));
    this.shardOf = new Int32Array(households.length);
    this.placeOf = new Int32Array(households.length);
    for (const [k, members] of dealt.entries())
      for (const [j, i] of members.entries()) {
        this.shardOf[i] = k;
        this.placeOf[i] = j;
      }
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
    this.netWh = new Float64Array(count);
    this.rowOf = new Int32Array(count).fill(-1);
    this.rowsOf = new Int32Array(count);
    this.tradedWh = new Float64Array(count);
    const tariff = this.market.tariff;
    if (!tariff) throw new Error(`market: the simulated community needs a utility tariff (retailPrice, feedInTariff)`);
    this.tariffTicks = tariff;
    this.participantIds = [
      ...households.map((h) => h.id),
      ...scenario.generators.map((g) => g.id),
      ...(communal ? [communal.id] : []),
    ];
    this.communalParticipant = communal ? this.participantIds.length - 1 : -1;
    this.book = new SlotMarket(
      this.participantIds.map((id, i) => ({ id, sourceLimitTicks: this.sourceLimitTicks[i] })),
      count * MAX_STEPS + scenario.generators.length + 2,
      { ...this.market, tariff },
    );
  }

  /**
   * Step t of the run (`advance`): the shards act on slot t − 1's fills and bid for slot t; then slot
   * t − 1 settles on its meters, and slot t's market clears and hands the shards its fills.
   * Steps 0 … slots: the first only bids, the last only acts.
   */
  advance(t: number): void {
    const bidding = t < this.slots;
    const columns = (this.shards[0] as ShardView).columns;
    this.pool?.step(t);
    if (t > 0) this.own.act(t - 1, columns);
    if (bidding) this.own.bid(t, this.series.price, columns);
    this.pool?.wait();
    if (this.pending) this.settleSlot(this.pending.book, this.pending.cleared);
    this.pending = bidding ? this.trade(t) : null;
  }

  /** Slot t's market: the bids and offers, the clearing, the communal battery's charge, the fills back to the shards. */
  private trade(t: number): { book: SlotBook; cleared: SlotClearing | null } {
    const start = this.cal.startMs[t] as number;
    const book: SlotBook = {
      t,
      start,
      slot: isoOf(start),
      demand: 0,
      generation: 0,
      totals: { demandWh: 0, generationWh: 0, chargeWh: 0, dischargeWh: 0, netWh: 0, utilityOnly: 0 },
      netMetered: { demandWh: 0, generationWh: 0 },
      cbBuyRow: -1,
      cbSellRow: -1,
      net: 0,
    };
    this.book.reset();
    this.bids();
    this.plants(book);
    this.batteryOffers(book);
    const cleared = this.clear(book);
    this.settleBattery(book, cleared);
    this.fills(cleared);
    return { book, cleared };
  }

  /** Slot b's settlement, once the households' meters are read. */
  private settleSlot(b: SlotBook, cleared: SlotClearing | null): void {
    this.meters(b);
    this.settle(b, cleared);
  }

  /**
   * A participant's flow in the slot, into the totals the KPIs take: behind the meter its
   * consumption and production, net metered its import and export.
   */
  private flow(b: SlotBook, importWh: number, exportWh: number, consumptionWh: number, productionWh: number): void {
    const { totals, netMetered } = b;
    totals.demandWh += consumptionWh;
    totals.generationWh += productionWh;
    netMetered.demandWh += importWh;
    netMetered.generationWh += exportWh;
    this.atMeter(b, importWh, exportWh);
  }

  /** Storage's flow (a battery): neither demand nor generation, but its charge and discharge. */
  private storageFlow(b: SlotBook, importWh: number, exportWh: number): void {
    b.totals.chargeWh += importWh;
    b.totals.dischargeWh += exportWh;
    this.atMeter(b, importWh, exportWh);
  }

  /** What every flow adds at its meter: the community's net and the utility-only bill. */
  private atMeter(b: SlotBook, importWh: number, exportWh: number): void {
    const { totals } = b;
    const { tariffTicks } = this;
    totals.netWh += importWh - exportWh;
    totals.utilityOnly = addMoney(
      totals.utilityOnly,
      moneyOf(tariffTicks.retail, importWh) - moneyOf(tariffTicks.feedIn, exportWh),
    );
  }

  /** Where household i's entries are: its shard's columns and its place in them. */
  private placed(i: number): { columns: ShardColumns; j: number } {
    return {
      columns: (this.shards[this.shardOf[i] as number] as ShardView).columns,
      j: this.placeOf[i] as number,
    };
  }

  /** Households: their bids into the book (in the scenario's order), each step a row. */
  private bids(): void {
    const { households } = this.loaded;
    const { book } = this;
    for (let i = 0; i < households.length; i++) {
      const { columns, j } = this.placed(i);
      const steps = columns.steps[j] as number;
      const buy = columns.buy[j] === 1;
      this.rowOf[i] = -1;
      this.rowsOf[i] = 0;
      this.filledWh[i] = 0;
      let offered = 0;
      for (let k = 0; k < steps; k++) {
        const at = j * MAX_STEPS + k;
        const wh = columns.stepWh[at] as number;
        const own = columns.stepTicks[at] as number;
        const row = book.order(
          i,
          buy,
          Number.isNaN(own) ? this.priceTicks(i, buy) : own,
          wh,
          buy ? null : columns.stepBattery[at] === 1 ? "battery" : "pv",
        );
        if (k === 0) this.rowOf[i] = row;
        this.rowsOf[i] = k + 1;
        offered += wh;
      }
      this.offeredWh[i] = buy ? offered : -offered;
    }
  }

  /** What the market gave each household's bid, locally and from the utility, back to its shard. */
  private fills(c: SlotClearing | null): void {
    const { households } = this.loaded;
    for (let i = 0; i < households.length; i++) {
      const { columns, j } = this.placed(i);
      const first = this.rowOf[i] as number;
      let wh = 0;
      for (let k = 0; k < (this.rowsOf[i] as number); k++) wh += this.traded(c, first + k);
      const buy = first >= 0 && this.book.isBuy[first] === 1;
      columns.boughtWh[j] = buy ? wh : 0;
      columns.soldWh[j] = buy ? 0 : wh;
      this.tradedWh[i] = buy ? wh : -wh;
    }
  }

  /** Households: what their devices and meters did in the slot, their meters read (in the scenario's order). */
  private meters(b: SlotBook): void {
    const { households } = this.loaded;
    const { hours, book, tariffTicks } = this;
    for (let i = 0; i < households.length; i++) {
      const { columns, j } = this.placed(i);
      const net = columns.net[j] as number;
      const used = columns.used[j] as number;
      const pv = columns.pv[j] as number;
      const batteryW = columns.batteryW[j] as number;
      b.demand += used;
      b.generation += pv;
      b.net += net;
      const importWh = Math.max(0, net);
      const exportWh = Math.max(0, -net);
      this.consumption[i] = (this.consumption[i] as number) + used;
      this.production[i] = (this.production[i] as number) + pv;
      this.imports[i] = (this.imports[i] as number) + importWh;
      this.exports[i] = (this.exports[i] as number) + exportWh;
      book.meter(i, importWh, exportWh);
      // the household battery behind the meter moves local energy in time, as storage does
      const battWh = Math.round(batteryW * hours);
      this.flow(b, Math.max(0, net + battWh), Math.max(0, -(net + battWh)), used, pv);
      if (battWh !== 0) this.storageFlow(b, Math.max(0, -battWh), Math.max(0, battWh));
      this.utilityOnly[i] = addMoney(
        this.utilityOnly[i] as number,
        moneyOf(tariffTicks.retail, importWh) - moneyOf(tariffTicks.feedIn, exportWh),
      );
      this.netWh[i] = net;
    }
  }

  /**
   * A household's price for its net position: with planners its limit, as OpenLEM's agents
   * bid (the market-clearing price makes that the best it can do); in the ramps variant
   * D3A's ramp between its limits, carried from slot to slot.
   */
  private priceTicks(i: number, buy: boolean): number {
    if (!this.ramping) return (buy ? this.maxBuyTicks[i] : this.minSellTicks[i]) as number;
    return (buy ? this.bidTicks[i] : this.askTicks[i]) as number;
  }

  /** The community's plants: metered, and offered at their ask. */
  private plants(b: SlotBook): void {
    const { t } = b;
    const first = this.loaded.households.length;
    for (const [j, g] of this.loaded.scenario.generators.entries()) {
      const wh = this.prof.generatorWh(g, t);
      b.generation += wh;
      b.net -= wh;
      this.book.meter(first + j, 0, wh);
      this.flow(b, 0, wh, 0, wh);
      const o = this.others.get(g.id);
      if (o) o.exportWh += wh;
      if (this.trading && wh > 0) this.book.order(first + j, false, priceToTicks(g.ask), wh, g.source as Source);
    }
  }

  /** The communal battery offers what its power and state of charge allow. */
  private batteryOffers(b: SlotBook): void {
    const { cb, communal, minutes, hours } = this;
    if (cb && communal) {
      const chargeWh = Math.floor(-safeBatteryPower(cb, this.cbSoc, -1e9, minutes) * hours);
      const dischargeWh = Math.floor(safeBatteryPower(cb, this.cbSoc, 1e9, minutes) * hours);
      const p = this.communalParticipant;
      if (chargeWh > 0) b.cbBuyRow = this.book.order(p, true, this.cbBidTicks, chargeWh, null);
      if (dischargeWh > 0) b.cbSellRow = this.book.order(p, false, this.cbAskTicks, dischargeWh, "battery");
    }
  }

  /** Clear: the engine at gate closure; in the ramps variant each household's price then ramps by what filled. */
  private clear(b: SlotBook): SlotClearing | null {
    const { t, start } = b;
    if (!this.trading || this.book.n === 0) return null;
    const c = this.book.clear(gateClosesAtMs(start, this.loaded.market));
    if (this.ramping) this.rampHouseholds(c);
    if (c.localWh > 0) {
      const avg = ticksToPrice(Math.round(c.localTicksWh / c.localWh));
      this.series.price[t] = avg;
      this.priceByHour.add(this.cal.localHour[t] as number, avg, c.localWh);
      this.series.localWh[t] = c.localWh;
    }
    return c;
  }

  /** What a row of the book traded, locally and with the utility (0 for no row or no clearing). */
  private traded(c: SlotClearing | null, row: number): number {
    return c && row >= 0 ? (c.local[row] as number) + (c.utility[row] as number) : 0;
  }

  /** The communal battery's charge follows its fills; it is metered like a household. */
  private settleBattery(b: SlotBook, c: SlotClearing | null): void {
    const { cb, communal, minutes, hours } = this;
    const { t } = b;
    if (cb && communal) {
      const bought = this.traded(c, b.cbBuyRow);
      const sold = this.traded(c, b.cbSellRow);
      const net = bought - sold;
      if (this.ramping) this.rampBattery(b, bought, sold);
      this.cbSoc = batteryStep(cb, this.cbSoc, -net / hours, minutes);
      this.safety.soc(this.cbSoc / cb.capacityWh);
      const o = this.others.get(communal.id);
      if (o) {
        o.importWh += Math.max(0, net);
        o.exportWh += Math.max(0, -net);
      }
      this.series.batteryNetWh[t] = net;
      this.book.meter(this.communalParticipant, Math.max(0, net), Math.max(0, -net));
      this.storageFlow(b, Math.max(0, net), Math.max(0, -net));
    }
  }

  /** D3A's ramp: each household's price moves a step by whether its order filled in full. */
  private rampHouseholds(c: SlotClearing): void {
    const n = this.loaded.households.length;
    const { book } = this;
    for (let k = 0; k < book.n; k++) {
      const i = book.participant[k] as number;
      if (i < n) this.filledWh[i] = (this.filledWh[i] as number) + (c.local[k] as number);
    }
    for (let i = 0; i < n; i++) {
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
  }

  /** D3A's storage ramp: an order filled in full tries a better price next slot, one left short a worse. */
  private rampBattery(b: SlotBook, boughtWh: number, soldWh: number): void {
    const communal = this.communal;
    if (!communal) return;
    if (b.cbBuyRow >= 0)
      this.cbBidTicks = adaptLimitTicks(
        "buy",
        this.cbBidTicks,
        boughtWh >= (this.book.energyWh[b.cbBuyRow] as number),
        { minTicks: this.feedInTicks, maxTicks: priceToTicks(communal.buyPrice) },
        this.step,
      );
    if (b.cbSellRow >= 0)
      this.cbAskTicks = adaptLimitTicks(
        "sell",
        this.cbAskTicks,
        soldWh >= (this.book.energyWh[b.cbSellRow] as number),
        { minTicks: priceToTicks(communal.sellPrice), maxTicks: this.retailTicks },
        this.step,
      );
  }

  /** Each household's metered net against what it traded: the rest was settled at retail or feed-in. */
  private deviations(): void {
    const { tariffTicks, deviation } = this;
    if (!this.trading) return;
    for (let i = 0; i < this.netWh.length; i++) {
      const dev = (this.netWh[i] as number) - (this.tradedWh[i] as number);
      if (dev > 0) {
        deviation.importWh += dev;
        deviation.cost = addMoney(deviation.cost, moneyOf(tariffTicks.retail, dev));
      } else if (dev < 0) {
        deviation.exportWh -= dev;
        deviation.cost = addMoney(deviation.cost, -moneyOf(tariffTicks.feedIn, -dev));
      }
    }
  }

  /** Settle: every participant's trades against its metered energy, bills, KPIs and the slot's series. */
  private settle(b: SlotBook, c: SlotClearing | null): void {
    const { t, slot, totals } = b;
    const { book } = this;
    const s = book.settle(c ?? this.unfilled);
    this.deviations();
    const n = this.loaded.households.length;
    for (let p = 0; p < s.amount.length; p++) {
      const amount = s.amount[p] as number;
      if (amount === 0) continue;
      if (p < n) this.bills[p] = addMoney(this.bills[p] as number, amount);
      else {
        const o = this.others.get(this.participantIds[p] as string);
        if (o) o.bill = addMoney(o.bill, amount);
      }
    }
    this.kpis.addSlotTotals(slot, totals);
    this.kpis.addSettled(s);
    this.kpisNetMetered.addSlotTotals(slot, { ...totals, ...b.netMetered });
    this.kpisNetMetered.addSettled(s);
    const day = this.cal.day[t] as number;
    if (this.dayKpis?.day !== day) {
      this.endDay();
      this.dayKpis = { day, kpis: new KpiAccumulator(this.minutes, this.tariff, { netMetered: true }) };
    }
    this.dayKpis.kpis.addSlotTotals(slot, { ...totals, ...b.netMetered });
    this.series.demandWh[t] = b.demand;
    this.series.communityNetWh[t] = b.net;
    this.series.generationWh[t] = b.generation;
    this.series.importWh[t] = Math.max(0, totals.netWh);
    this.series.exportWh[t] = Math.max(0, -totals.netWh);
  }

  private endDay(): void {
    if (this.dayKpis) this.dailySelfSufficiency.push(this.dayKpis.kpis.result().selfSufficiency);
    this.dayKpis = null;
  }

  result(): VariantResult {
    this.endDay();
    const { households } = this.loaded;
    const variant = this.variant;
    this.safety.merge(this.own.safety.figures);
    for (const f of this.pool?.finish() ?? []) this.safety.merge(f);
    return {
      variant,
      name: VARIANTS[variant],
      kpis: this.kpis.result(),
      kpisNetMetered: this.kpisNetMetered.result(),
      dailySelfSufficiencyNetMetered: this.dailySelfSufficiency,
      // without a market nothing is traded, so nothing deviates from a trade
      ...(this.trading ? { deviation: { ...this.deviation } } : {}),
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
      surplusPrice: surplusPrice(this.series),
      series: this.series,
      safety: this.safety.figures,
      retailPrice: this.retail,
      feedInTariff: this.feedIn,
      localGridFee: this.loaded.market.localGridFee,
    };
  }

  /** Stops the workers, if any are still running (a run that failed). */
  close(): void {
    this.pool?.close();
  }
}
