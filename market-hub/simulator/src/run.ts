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
  kpis: Kpis;
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

/**
 * Runs one variant of a scenario in-process: every slot, each household's agent decides its
 * devices (safety last), the household bids its net position, the engine clears the book, and
 * the slot is settled against the metered energy. Agents plan once a day at local noon over
 * the next 24 hours, with prices forecast from the same slots a day earlier (the utility's
 * tariff before any are known) and their own load, PV and hot water known.
 */
export function simulate(loaded: LoadedScenario, variant: Variant, options: SimulateOptions = {}): VariantResult {
  const { scenario, market: config, households } = loaded;
  const cal: Calendar = buildCalendar(
    scenario.period.from,
    scenario.period.days,
    scenario.timeZone,
    config.slotMinutes,
  );
  const n = cal.startMs.length;
  const minutes = config.slotMinutes;
  const hours = minutes / 60;
  const slotsPerDay = Math.round(1440 / minutes);
  const market = marketParams(config, "electricity");
  const tariff = () => market.tariff;
  const retail = config.retailPrice;
  const feedIn = config.feedInTariff;
  const trading = variant !== "conventional";
  const communal = variant === "local+battery" ? scenario.communalBattery : undefined;

  const houses: HouseState[] = households.map((h) => {
    const spec = householdSpecOf(h);
    return {
      agent: spec ? new HouseholdAgent(spec, minutes) : null,
      socWh: h.battery ? h.battery.capacityWh * 0.5 : 0,
      tempC: h.boiler ? h.boiler.targetTempC : 0,
      evChargedWh: 0,
      lastHotMs: cal.startMs[0] ?? 0,
    };
  });
  const cb = communal
    ? BatterySpec.parse({
        capacityWh: communal.capacityWh,
        maxChargeW: communal.powerW,
        maxDischargeW: communal.powerW,
        roundTripEfficiency: communal.roundTripEfficiency,
        minSoc: communal.minSoc,
        maxSoc: communal.maxSoc,
      })
    : undefined;
  let cbSoc = cb ? cb.capacityWh * cb.minSoc : 0;

  const bills = new Float64Array(households.length);
  const utilityOnly = new Float64Array(households.length);
  const consumption = new Float64Array(households.length);
  const production = new Float64Array(households.length);
  const imports = new Float64Array(households.length);
  const exports = new Float64Array(households.length);
  const otherIds = [...(communal ? [communal.id] : []), ...scenario.generators.map((g) => g.id)];
  const others = new Map(otherIds.map((id) => [id, { id, bill: 0, exportWh: 0, importWh: 0 }]));
  const indexOf = new Map(households.map((h, i) => [h.id, i]));
  const kpis = new KpiAccumulator(minutes, tariff);
  const series: Series = {
    startMs: cal.startMs,
    price: new Float64Array(n).fill(Number.NaN),
    demandWh: new Float64Array(n),
    generationWh: new Float64Array(n),
    importWh: new Float64Array(n),
    exportWh: new Float64Array(n),
    batteryNetWh: new Float64Array(n),
  };
  const priceByHour = new PriceByHour();
  const safety = new SafetyLog();

  const prof = new CommunityProfiles(loaded, cal);
  const loadWh = (h: Household, t: number) => prof.loadWh(h, t);
  const pvWh = (h: Household, t: number) => prof.pvWh(h, t);
  const drawWh = (h: Household, t: number) => prof.drawWh(h, t);
  const evSession = (h: Household, t: number) => prof.evSession(h, t);
  const stateOf = (h: Household, st: HouseState, t: number): DeviceState => deviceStateOf(h, evSession(h, t), st);

  const plan = (t0: number) => {
    const len = Math.min(slotsPerDay, n - t0);
    for (let i = 0; i < households.length; i++) {
      const st = houses[i] as HouseState;
      if (!st.agent) continue;
      const h = households[i] as Household;
      const forecast: ForecastSlot[] = [];
      for (let k = 0; k < len; k++) {
        const t = t0 + k;
        const past = t - slotsPerDay >= 0 ? (series.price[t - slotsPerDay] as number) : Number.NaN;
        const local = trading && Number.isFinite(past) ? past : Number.NaN;
        forecast.push({
          startMs: cal.startMs[t] as number,
          buyPrice: Number.isFinite(local) ? Math.min(retail, local) : retail,
          sellPrice: Number.isFinite(local) ? Math.max(feedIn, local) : feedIn,
          netLoadWh: loadWh(h, t) - pvWh(h, t),
          drawWh: drawWh(h, t),
        });
      }
      st.agent.plan(forecast, stateOf(h, st, t0), cal.startMs[t0] as number);
    }
  };

  // each household's current bid and ask (ticks), ramping between its limits from slot to slot
  const retailTicks = priceToTicks(retail);
  const feedInTicks = priceToTicks(feedIn);
  const step = priceToTicks(scenario.bidding.stepPrice);
  const bidTicks = Int32Array.from(households, (h) => Math.round((feedInTicks + priceToTicks(h.maxBuyPrice)) / 2));
  const askTicks = Int32Array.from(households, (h) => Math.round((priceToTicks(h.minSellPrice) + retailTicks) / 2));
  const maxBuyTicks = Int32Array.from(households, (h) => priceToTicks(h.maxBuyPrice));
  const minSellTicks = Int32Array.from(households, (h) => priceToTicks(h.minSellPrice));
  const sourceLimitTicks = households.map((h) =>
    h.sourceLimits
      ? (Object.fromEntries(Object.entries(h.sourceLimits).map(([s, p]) => [s, priceToTicks(p as number)])) as Partial<
          Record<Source, number>
        >)
      : undefined,
  );
  const offeredWh = new Float64Array(households.length);
  const filledWh = new Float64Array(households.length);

  let seq = 0;
  for (let t = 0; t < n; t++) {
    const start = cal.startMs[t] as number;
    const slot = isoOf(start);
    if (t === 0 || (cal.localHour[t] === 12 && t > 0)) plan(t);
    const orders: BookOrder[] = [];
    const metered: MeteredSlot[] = [];
    const flows: FlowSlot[] = [];
    let demand = 0;
    let generation = 0;
    for (let i = 0; i < households.length; i++) {
      const h = households[i] as Household;
      const st = houses[i] as HouseState;
      const load = loadWh(h, t);
      const pv = pvWh(h, t);
      let net = load - pv;
      let used = load;
      let batteryW = 0;
      if (st.agent) {
        const state = stateOf(h, st, t);
        const dWh = drawWh(h, t);
        const d = st.agent.decide(start, state, { netLoadWh: net, drawWh: dWh });
        net = d.netWh;
        batteryW = d.batteryW;
        used += stepDevices(h, st, d, dWh, evSession(h, t), start, minutes, safety);
        st.agent.afterSlot(d, stateOf(h, st, t));
      }
      demand += used;
      generation += pv;
      const importWh = Math.max(0, net);
      const exportWh = Math.max(0, -net);
      consumption[i] = (consumption[i] as number) + used;
      production[i] = (production[i] as number) + pv;
      imports[i] = (imports[i] as number) + importWh;
      exports[i] = (exports[i] as number) + exportWh;
      metered.push({ householdId: h.id, slot, commodity: "electricity", importWh, exportWh });
      // the household battery behind the meter moves local energy in time, as storage does
      const battWh = Math.round(batteryW * hours);
      flows.push({
        householdId: h.id,
        slot,
        commodity: "electricity",
        importWh: Math.max(0, net + battWh),
        exportWh: Math.max(0, -(net + battWh)),
        consumptionWh: used,
        productionWh: pv,
      });
      if (battWh !== 0)
        flows.push({
          householdId: `${h.id}#battery`,
          slot,
          commodity: "electricity",
          importWh: Math.max(0, -battWh),
          exportWh: Math.max(0, battWh),
          storage: true,
        });
      utilityOnly[i] = addMoney(
        utilityOnly[i] as number,
        moneyOf(market.tariff?.retail ?? 0, importWh) - moneyOf(market.tariff?.feedIn ?? 0, exportWh),
      );
      offeredWh[i] = trading ? net : 0;
      filledWh[i] = 0;
      if (!trading || net === 0) continue;
      const buy = net > 0;
      orders.push({
        id: `${h.id}@${t}`,
        seq: ++seq,
        householdId: h.id,
        householdKey: i,
        side: buy ? "buy" : "sell",
        commodity: "electricity",
        steps: [{ priceTicks: (buy ? bidTicks[i] : askTicks[i]) as number, energyWh: Math.abs(net) }],
        source: buy ? null : batteryW > 0 ? "battery" : "pv",
        sourceLimitTicks: buy ? sourceLimitTicks[i] : undefined,
      });
    }
    // community plants
    for (const g of scenario.generators) {
      const wh = prof.generatorWh(g, t);
      generation += wh;
      metered.push({ householdId: g.id, slot, commodity: "electricity", importWh: 0, exportWh: wh });
      flows.push({ householdId: g.id, slot, commodity: "electricity", importWh: 0, exportWh: wh, productionWh: wh });
      const o = others.get(g.id);
      if (o) o.exportWh += wh;
      if (trading && wh > 0)
        orders.push({
          id: `${g.id}@${t}`,
          seq: ++seq,
          householdId: g.id,
          side: "sell",
          commodity: "electricity",
          steps: [{ priceTicks: priceToTicks(g.ask), energyWh: wh }],
          source: g.source as Source,
        });
    }
    // the communal battery offers what its power and state of charge allow
    if (cb && communal) {
      const chargeWh = Math.floor(-safeBatteryPower(cb, cbSoc, -1e9, minutes) * hours);
      const dischargeWh = Math.floor(safeBatteryPower(cb, cbSoc, 1e9, minutes) * hours);
      const base = { householdId: communal.id, commodity: "electricity" as const };
      if (chargeWh > 0)
        orders.push({
          ...base,
          id: `${communal.id}+${t}`,
          seq: ++seq,
          side: "buy",
          steps: [{ priceTicks: priceToTicks(communal.buyPrice), energyWh: chargeWh }],
          source: null,
        });
      if (dischargeWh > 0)
        orders.push({
          ...base,
          id: `${communal.id}-${t}`,
          seq: ++seq,
          side: "sell",
          steps: [{ priceTicks: priceToTicks(communal.sellPrice), energyWh: dischargeWh }],
          source: "battery",
        });
    }

    let fills: readonly EngineFill[] = [];
    if (trading && orders.length > 0) {
      const r = clear({ market, orders, atMs: gateClosesAtMs(start, config) });
      fills = r.fills;
      for (const f of fills) {
        if (f.counterparty !== "local") continue;
        const i = indexOf.get(f.householdId);
        if (i !== undefined) filledWh[i] = (filledWh[i] as number) + f.energyWh;
      }
      for (let i = 0; i < households.length; i++) {
        const offered = offeredWh[i] as number;
        if (offered === 0) continue;
        const full = (filledWh[i] as number) >= Math.abs(offered);
        if (offered > 0)
          bidTicks[i] = adaptLimitTicks(
            "buy",
            bidTicks[i] as number,
            full,
            { minTicks: feedInTicks, maxTicks: maxBuyTicks[i] as number },
            step,
          );
        else
          askTicks[i] = adaptLimitTicks(
            "sell",
            askTicks[i] as number,
            full,
            { minTicks: minSellTicks[i] as number, maxTicks: retailTicks },
            step,
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
        series.price[t] = avg;
        priceByHour.add(cal.localHour[t] as number, avg, localWh);
      }
    }
    if (cb && communal) {
      let net = 0;
      for (const f of fills) if (f.householdId === communal.id) net += f.side === "buy" ? f.energyWh : -f.energyWh;
      cbSoc = batteryStep(cb, cbSoc, -net / hours, minutes);
      safety.soc(cbSoc / cb.capacityWh);
      const o = others.get(communal.id);
      if (o) {
        o.importWh += Math.max(0, net);
        o.exportWh += Math.max(0, -net);
      }
      series.batteryNetWh[t] = net;
      metered.push({
        householdId: communal.id,
        slot,
        commodity: "electricity",
        importWh: Math.max(0, net),
        exportWh: Math.max(0, -net),
      });
      flows.push({
        householdId: communal.id,
        slot,
        commodity: "electricity",
        importWh: Math.max(0, net),
        exportWh: Math.max(0, -net),
        storage: true,
      });
    }
    const { lines } = settle({ fills: [{ slot, fills }], metered, tariff });
    for (const l of lines) {
      if (l.account.startsWith("@")) continue;
      const i = indexOf.get(l.account);
      if (i !== undefined) bills[i] = addMoney(bills[i] as number, l.amount);
      else {
        const o = others.get(l.account);
        if (o) o.bill = addMoney(o.bill, l.amount);
      }
    }
    kpis.addSlot(slot, flows);
    kpis.addLedger(lines);
    let net = 0;
    for (const f of flows) net += f.importWh - f.exportWh;
    series.demandWh[t] = demand;
    series.generationWh[t] = generation;
    series.importWh[t] = Math.max(0, net);
    series.exportWh[t] = Math.max(0, -net);
    if (options.onProgress && (t % slotsPerDay === slotsPerDay - 1 || t === n - 1)) options.onProgress(t + 1, n);
  }

  return {
    variant,
    name: VARIANTS[variant],
    kpis: kpis.result(),
    households: households.map((h, i) => ({
      id: h.id,
      bill: bills[i] as number,
      utilityOnly: utilityOnly[i] as number,
      consumptionWh: consumption[i] as number,
      productionWh: production[i] as number,
      importWh: imports[i] as number,
      exportWh: exports[i] as number,
    })),
    others: [...others.values()],
    priceByHour: priceByHour.result(),
    series,
    safety: safety.figures,
    retailPrice: retail,
    feedInTariff: feedIn,
  };
}
