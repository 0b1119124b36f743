import type { HubRest } from "@openlem/client";
import {
  addMoney,
  formatMoney,
  HOUR_MS,
  isoOf,
  type Kpis,
  localDateOf,
  parseMoney,
  priceToTicks,
  slotMs,
  ticksToPrice,
} from "@openlem/protocol";
import type { Calendar } from "../calendar.js";
import type { CommunityProfiles } from "../community-profiles.js";
import { PriceByHour, type SafetyLog } from "../house-physics.js";
import { type HouseholdResult, type Series, surplusPrice, VARIANTS, type VariantResult } from "../run.js";
import type { Household, LoadedScenario } from "../scenario.js";
import type { CommunityAssets } from "./community-assets.js";
import type { SimulatedHome } from "./home.js";
import type { Joined, Member } from "./join.js";

export interface HubRunResult extends VariantResult {
  communityId: string;
  hubUrl: string;
}

/** What a run on the hub has when it ends: who took part, their homes and the community's assets. */
export interface RunState {
  url: string;
  loaded: LoadedScenario;
  joined: Joined;
  homes: { h: Household; home: SimulatedHome; p: Member }[];
  assets: CommunityAssets;
  prof: CommunityProfiles;
  cal: Calendar;
  startMs: number;
  endMs: number;
  slots: number;
  safety: SafetyLog;
}

/**
 * The last phase: the run's figures as the hub has them: prices from its results, bills from
 * each member's statements, KPIs from its KPI endpoint, energy series from the simulated homes.
 */
export async function collectHubRun(run: RunState): Promise<HubRunResult> {
  const { loaded, joined, homes, assets, prof, cal, startMs, endMs, slots: n, safety, url } = run;
  const config = loaded.market;
  const len = slotMs(config.slotMinutes);
  const opRest = joined.operator;
  const { communityId } = joined;
  const plants = assets.plants;
  const cb = assets.battery;
  const plantSeries = assets.plantSeries;
  const batterySeries = assets.batterySeries;
  const dates: string[] = [];
  for (let d = startMs; d < endMs; d += HOUR_MS) {
    const date = localDateOf(isoOf(d), config.timeZone);
    if (!dates.includes(date)) dates.push(date);
  }
  const results = await opRest.results({ from: isoOf(startMs), to: isoOf(endMs) });
  const price = new Float64Array(n).fill(Number.NaN);
  const localWh = new Float64Array(n);
  const priceByHour = new PriceByHour();
  for (const r of results) {
    const k = (Date.parse(r.slot) - startMs) / len;
    let value = 0;
    let wh = 0;
    for (const m of r.markets) {
      if (m.averagePrice === null || m.localWh === 0) continue;
      value += priceToTicks(m.averagePrice) * m.localWh;
      wh += m.localWh;
    }
    if (wh === 0 || k < 0 || k >= n) continue;
    const avg = ticksToPrice(Math.round(value / wh));
    price[k] = avg;
    localWh[k] = wh;
    priceByHour.add(cal.localHour[prof.indexOf(Date.parse(r.slot))] as number, avg, wh);
  }
  const billOf = async (rest: HubRest) => {
    let bill = 0;
    let utilityOnly = 0;
    for (const date of dates) {
      const s = await rest.statement("day", date);
      bill = addMoney(bill, parseMoney(s.total));
      utilityOnly = addMoney(utilityOnly, parseMoney(s.utilityOnlyTotal));
    }
    return { bill, utilityOnly };
  };
  const hh: HouseholdResult[] = [];
  for (const x of homes) {
    const b = await billOf(x.p.rest);
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    hh.push({
      id: x.h.id,
      bill: b.bill,
      utilityOnly: b.utilityOnly,
      consumptionWh: sum(x.home.used),
      productionWh: sum(x.home.produced),
      importWh: x.home.importWh,
      exportWh: x.home.exportWh,
    });
  }
  const others = [];
  for (const pl of plants)
    others.push({ id: pl.g.id, bill: (await billOf(pl.p.rest)).bill, exportWh: pl.exportWh, importWh: 0 });
  if (cb)
    others.push({
      id: cb.def.id,
      bill: (await billOf(cb.p.rest)).bill,
      exportWh: cb.exportWh,
      importWh: cb.importWh,
    });

  const kpis = await kpisOver(opRest, dates);
  const series: Series = {
    startMs: Float64Array.from({ length: n }, (_, k) => startMs + k * len),
    price,
    localWh,
    communityNetWh: new Float64Array(n),
    demandWh: new Float64Array(n),
    generationWh: new Float64Array(n),
    importWh: new Float64Array(n),
    exportWh: new Float64Array(n),
    batteryNetWh: batterySeries,
  };
  for (let k = 0; k < n; k++) {
    let demand = 0;
    let gen = plantSeries[k] as number;
    let net = (batterySeries[k] as number) - (plantSeries[k] as number);
    for (const x of homes) {
      demand += x.home.used[k] as number;
      gen += x.home.produced[k] as number;
      net += x.home.net[k] as number;
    }
    series.demandWh[k] = demand;
    series.generationWh[k] = gen;
    series.communityNetWh[k] = net - (batterySeries[k] as number);
    series.importWh[k] = Math.max(0, net);
    series.exportWh[k] = Math.max(0, -net);
  }
  const variant = cb ? "local+battery" : "local";
  return {
    communityId,
    hubUrl: url,
    variant,
    name: `${VARIANTS[variant]}, end to end on the hub`,
    kpis,
    // the hub knows only the meters: its KPIs are on net metered energy already
    kpisNetMetered: kpis,
    households: hh,
    others,
    priceByHour: priceByHour.result(),
    surplusPrice: surplusPrice(series),
    series,
    safety: safety.figures,
    retailPrice: config.retailPrice,
    feedInTariff: config.feedInTariff,
    localGridFee: config.localGridFee,
  };
}

/** The hub's daily KPIs over the run's local days, added up with the hub's own definitions. */
async function kpisOver(opRest: HubRest, dates: string[]): Promise<Kpis> {
  let met = 0;
  let usedLocally = 0;
  const sum: Kpis = {
    demandWh: 0,
    generationWh: 0,
    localTradedWh: 0,
    boughtWh: 0,
    gridImportWh: 0,
    gridExportWh: 0,
    selfSufficiency: null,
    selfConsumption: null,
    localTradeShare: null,
    savings: formatMoney(0),
    peakImportW: 0,
    peakImportSlot: null,
  };
  let savings = 0;
  for (const date of dates) {
    const k = await opRest.kpis("day", date);
    sum.demandWh += k.demandWh;
    sum.generationWh += k.generationWh;
    sum.localTradedWh += k.localTradedWh;
    sum.boughtWh += k.boughtWh;
    sum.gridImportWh += k.gridImportWh;
    sum.gridExportWh += k.gridExportWh;
    met += (k.selfSufficiency ?? 0) * k.demandWh;
    usedLocally += (k.selfConsumption ?? 0) * k.generationWh;
    savings = addMoney(savings, parseMoney(k.savings));
    if (k.peakImportW > sum.peakImportW) {
      sum.peakImportW = k.peakImportW;
      sum.peakImportSlot = k.peakImportSlot;
    }
  }
  sum.selfSufficiency = sum.demandWh > 0 ? met / sum.demandWh : null;
  sum.selfConsumption = sum.generationWh > 0 ? usedLocally / sum.generationWh : null;
  sum.localTradeShare = sum.boughtWh > 0 ? sum.localTradedWh / sum.boughtWh : null;
  sum.savings = formatMoney(savings);
  return sum;
}
