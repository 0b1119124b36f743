import { randomBytes } from "node:crypto";
import {
  BatterySpec,
  batteryStep,
  type DevicePort,
  type DeviceState,
  HouseholdLoop,
  type HouseholdSpec,
  type LoopEvent,
  type SlotDecision,
  safeBatteryPower,
} from "@openlem/agents";
import { HubAdmin, HubError, HubRest } from "@openlem/client";
import {
  addMoney,
  formatMoney,
  isoOf,
  type Kpis,
  localDateOf,
  type OrderInput,
  parseMoney,
  priceToTicks,
  ticksToPrice,
} from "@openlem/protocol";
import { buildCalendar } from "./calendar.js";
import { CommunityProfiles, deviceStateOf, householdSpecOf } from "./community-profiles.js";
import { type HouseDevices, PriceByHour, SafetyLog, stepDevices } from "./house-physics.js";
import type { HouseholdResult, Series, VariantResult } from "./run.js";
import { VARIANTS } from "./run.js";
import type { Household, LoadedScenario } from "./scenario.js";

export interface HubRunOptions {
  /** The hub's base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  /** An operator account: the run creates its own community on the hub. */
  operator: { email: string; password: string };
  /** How many market slots to run, from the hub's current slot on. */
  slots: number;
  /** With the scenario's communal battery (default: when the scenario has one). */
  communalBattery?: boolean;
  /** How often the hub's clock is asked (ms, default 100). */
  pollMs?: number;
  /**
   * What happens between two looks at the hub's clock (default: wait `pollMs`). A test that
   * drives the hub's clock itself moves it on here, so the run does not depend on how fast
   * the machine is.
   */
  between?: () => Promise<void>;
  onProgress?: (done: number, total: number) => void;
  onEvent?: (householdId: string, e: LoopEvent) => void;
}

export interface HubRunResult extends VariantResult {
  communityId: string;
  hubUrl: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A simulated home behind a real household agent loop: the loop reads, forecasts and steers
 * it through the same port a Home Assistant bridge or Node-RED flow gives; the runner moves
 * its time on (`advanceTo`) as the hub's clock passes slot boundaries, stepping the devices
 * with the decision applied for the slot that ended and counting the meter's registers.
 */
export class SimulatedHome implements DevicePort, HouseDevices {
  socWh: number;
  tempC: number;
  evChargedWh = 0;
  lastHotMs: number;
  importWh = 0;
  exportWh = 0;
  private slotMs: number;
  private nowMs: number;
  private pending: SlotDecision | null = null;
  /** Per run slot: energy used and produced, and the grid flow (for the report). */
  readonly used: Float64Array;
  readonly produced: Float64Array;
  readonly net: Float64Array;
  readonly batteryWh: Float64Array;

  constructor(
    readonly h: Household,
    readonly meterId: string,
    private readonly prof: CommunityProfiles,
    private readonly t0: number,
    startMs: number,
    /** Shared by every home of a run. */
    private readonly safety: SafetyLog,
  ) {
    this.slotMs = prof.cal.slotMinutes * 60_000;
    this.nowMs = startMs;
    this.lastHotMs = startMs;
    this.socWh = h.battery ? h.battery.capacityWh * 0.5 : 0;
    this.tempC = h.boiler ? h.boiler.targetTempC : 0;
    const n = prof.slots - t0;
    this.used = new Float64Array(n);
    this.produced = new Float64Array(n);
    this.net = new Float64Array(n);
    this.batteryWh = new Float64Array(n);
  }

  private t(ms: number): number {
    return this.prof.indexOf(ms);
  }

  async read(): Promise<DeviceState> {
    const t = this.t(this.nowMs);
    return deviceStateOf(this.h, t >= 0 ? this.prof.evSession(this.h, t) : null, this);
  }

  async forecast(fromMs: number, slots: number, minutes: number) {
    const netLoadWh: number[] = [];
    const drawWh: number[] = [];
    for (let k = 0; k < slots; k++) {
      const t = this.t(fromMs + k * minutes * 60_000);
      netLoadWh.push(t >= 0 ? this.prof.loadWh(this.h, t) - this.prof.pvWh(this.h, t) : 0);
      drawWh.push(t >= 0 ? this.prof.drawWh(this.h, t) : 0);
    }
    return { netLoadWh, drawWh };
  }

  async apply(decision: SlotDecision): Promise<void> {
    this.pending = decision;
  }

  async meter() {
    return { meterId: this.meterId, importWh: this.importWh, exportWh: this.exportWh };
  }

  /** The hub's clock reached `ms`: the slot before it is over, so its energy happened. */
  advanceTo(ms: number): void {
    const d = this.pending;
    const { h, prof } = this;
    const minutes = prof.cal.slotMinutes;
    const hours = minutes / 60;
    // slots without an applied decision (before the first tick): no flexible devices ran
    for (let s = this.nowMs; s < ms; s += this.slotMs) {
      const t = this.t(s);
      if (t < 0) continue;
      const load = prof.loadWh(h, t);
      const pv = prof.pvWh(h, t);
      const dec = d && d.startMs === s ? d : null;
      const used = load + stepDevices(h, this, dec, prof.drawWh(h, t), prof.evSession(h, t), s, minutes, this.safety);
      const net = dec ? dec.netWh : load - pv;
      this.importWh += Math.max(0, net);
      this.exportWh += Math.max(0, -net);
      const k = t - this.t0;
      if (k >= 0 && k < this.used.length) {
        this.used[k] = used;
        this.produced[k] = pv;
        this.net[k] = net;
        this.batteryWh[k] = dec ? Math.round(dec.batteryW * hours) : 0;
      }
    }
    this.nowMs = Math.max(this.nowMs, ms);
  }
}

function slugOf(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 30);
  return s || "scenario";
}

interface Participant {
  id: string;
  meterId: string;
  rest: HubRest;
}

/**
 * Runs a scenario end to end against a running hub: it creates a community for the run,
 * registers a meter per household, plant and communal battery, joins each household with
 * its own account and device token, and runs a real `HouseholdLoop` per household through
 * the client. The hub clears every slot at gate closure as it always does; run it with a fast
 * clock (`openlem-hub serve --speed 900`: a 15-minute slot a second) for runs longer than a
 * few slots. Bills come from the hub's statements, KPIs from its KPI endpoint.
 */
export async function simulateOnHub(loaded: LoadedScenario, o: HubRunOptions): Promise<HubRunResult> {
  const { scenario, market: config, households } = loaded;
  const admin = new HubAdmin({ url: o.url, auth: o.operator });
  const stamp = randomBytes(3).toString("hex");
  const communityId = `sim-${slugOf(scenario.name)}-${stamp}`.slice(0, 60);
  await admin.createCommunity({ id: communityId, name: `${scenario.name} (simulation ${stamp})`, market: config });
  const opRest = new HubRest({ url: o.url, auth: o.operator, communityId, householdId: "-" });
  const slotMs = config.slotMinutes * 60_000;
  const hours = config.slotMinutes / 60;

  const join = async (id: string, source: "pv" | "chp" | "battery" | null): Promise<Participant> => {
    const meterId = `sim-${stamp}-${id}`.slice(0, 64);
    const meter = await admin.registerMeter(communityId, { meterId, householdId: id, source });
    const account = { email: `${id}.${communityId}@openlem-sim.example`, password: randomBytes(12).toString("hex") };
    const device = await admin.joinHousehold(communityId, id, account, { meterId, pin: meter.pin }, "openlem-sim");
    const rest = new HubRest({ url: o.url, communityId, householdId: id, auth: { deviceToken: device.token } });
    return { id, meterId, rest };
  };

  // joining takes a while (accounts, meters, tokens): the run starts at the slot after it
  const members: Participant[] = [];
  for (const h of households) members.push(await join(h.id, h.pvKwp > 0 ? "pv" : null));
  const plantMembers: Participant[] = [];
  for (const g of scenario.generators) plantMembers.push(await join(g.id, g.source === "pv" ? "pv" : "chp"));
  const withBattery = o.communalBattery ?? scenario.communalBattery !== undefined;
  const cbDef = withBattery ? scenario.communalBattery : undefined;
  const cbMember = cbDef ? await join(cbDef.id, "battery") : undefined;

  const clock0 = await opRest.clock();
  const startMs = Date.parse(clock0.currentSlot);
  const endMs = startMs + o.slots * slotMs;
  const firstDate = localDateOf(isoOf(startMs), config.timeZone);
  const days = Math.ceil((endMs - startMs) / 86_400_000) + 2;
  const cal = buildCalendar(firstDate, days, config.timeZone, config.slotMinutes);
  const prof = new CommunityProfiles(loaded, cal);
  const t0 = prof.indexOf(startMs);
  if (t0 < 0) throw new Error(`the hub's slot ${isoOf(startMs)} is not on the ${config.slotMinutes}-minute grid`);

  const safety = new SafetyLog();
  const homes: { h: Household; home: SimulatedHome; loop: HouseholdLoop; p: Participant }[] = [];
  for (const [i, h] of households.entries()) {
    const p = members[i] as Participant;
    const home = new SimulatedHome(h, p.meterId, prof, t0, startMs, safety);
    const spec = householdSpecOf(h, { maxBuyPrice: h.maxBuyPrice, minSellPrice: h.minSellPrice }) as HouseholdSpec;
    const loop = new HouseholdLoop({
      spec,
      hub: p.rest,
      devices: home,
      replanMs: 6 * 3_600_000,
      bidUntilMs: endMs,
      onEvent: (e) => o.onEvent?.(h.id, e),
    });
    homes.push({ h, home, loop, p });
  }
  const plants: {
    g: (typeof scenario.generators)[number];
    p: Participant;
    exportWh: number;
    submitted: Set<number>;
  }[] = [];
  for (const [i, g] of scenario.generators.entries())
    plants.push({ g, p: plantMembers[i] as Participant, exportWh: 0, submitted: new Set() });
  const cb =
    cbDef && cbMember
      ? {
          def: cbDef,
          spec: BatterySpec.parse({
            capacityWh: cbDef.capacityWh,
            maxChargeW: cbDef.powerW,
            maxDischargeW: cbDef.powerW,
            roundTripEfficiency: cbDef.roundTripEfficiency,
            minSoc: cbDef.minSoc,
            maxSoc: cbDef.maxSoc,
          }),
          p: cbMember,
          socWh: cbDef.capacityWh * cbDef.minSoc,
          importWh: 0,
          exportWh: 0,
          netBySlot: new Map<number, number>(),
          submitted: new Set<number>(),
        }
      : undefined;

  const n = o.slots;
  const batterySeries = new Float64Array(n);
  const plantSeries = new Float64Array(n);
  let lastSlot: number | null = null;
  let cbSocAtNext = cb?.socWh ?? 0;

  /** A plant's or the battery's orders; one that comes too late misses its slot, as at a real hub. */
  const send = async (id: string, orders: OrderInput[], p?: Participant) => {
    const rest = p?.rest ?? plants.find((x) => x.g.id === id)?.p.rest;
    try {
      await rest?.submitOrders(orders);
    } catch (error) {
      if (!(error instanceof HubError) || error.status !== 422) throw error;
      o.onEvent?.(id, { type: "error", error });
    }
  };

  const submitPlantOrders = async (slotStart: number) => {
    if (slotStart >= endMs) return;
    const t = prof.indexOf(slotStart);
    const slot = isoOf(slotStart);
    for (const pl of plants) {
      if (pl.submitted.has(slotStart) || t < 0) continue;
      const wh = prof.generatorWh(pl.g, t);
      pl.submitted.add(slotStart);
      if (wh > 0)
        await send(pl.g.id, [
          {
            clientOrderId: `plant-${slotStart}`,
            side: "sell",
            slot,
            energyWh: wh,
            limitPrice: pl.g.ask,
            source: pl.g.source === "pv" ? "pv" : "chp",
          },
        ]);
    }
    if (cb && !cb.submitted.has(slotStart)) {
      cb.submitted.add(slotStart);
      const chargeWh = Math.floor(-safeBatteryPower(cb.spec, cbSocAtNext, -1e9, config.slotMinutes) * hours);
      const dischargeWh = Math.floor(safeBatteryPower(cb.spec, cbSocAtNext, 1e9, config.slotMinutes) * hours);
      const orders: OrderInput[] = [];
      if (chargeWh > 0)
        orders.push({
          clientOrderId: `cb-buy-${slotStart}`,
          side: "buy",
          slot,
          energyWh: chargeWh,
          limitPrice: cb.def.buyPrice,
        });
      if (dischargeWh > 0)
        orders.push({
          clientOrderId: `cb-sell-${slotStart}`,
          side: "sell",
          slot,
          energyWh: dischargeWh,
          limitPrice: cb.def.sellPrice,
          source: "battery",
        });
      if (orders.length) await send(cb.def.id, orders, cb.p);
    }
  };

  /** The plants and the battery at a slot boundary: count the slot that ended, report meters. */
  const advancePlants = async (current: number) => {
    const prev = current - slotMs;
    const k = (prev - startMs) / slotMs;
    const tPrev = prof.indexOf(prev);
    if (k >= 0 && k < n && tPrev >= 0) {
      for (const pl of plants) {
        const wh = prof.generatorWh(pl.g, tPrev);
        pl.exportWh += wh;
        plantSeries[k] = (plantSeries[k] as number) + wh;
      }
      if (cb) {
        const net = cb.netBySlot.get(prev) ?? 0;
        cb.socWh = batteryStep(cb.spec, cb.socWh, -net / hours, config.slotMinutes);
        cb.importWh += Math.max(0, net);
        cb.exportWh += Math.max(0, -net);
        batterySeries[k] = net;
      }
    }
    const at = isoOf(current);
    for (const pl of plants)
      await pl.p.rest.submitReadings([{ meterId: pl.p.meterId, at, importWh: 0, exportWh: pl.exportWh }]);
    if (cb) {
      await cb.p.rest.submitReadings([{ meterId: cb.p.meterId, at, importWh: cb.importWh, exportWh: cb.exportWh }]);
      // the slot now delivered cleared at its gate: its fills fix the charge at the next slot's start
      const fills = await cb.p.rest.fills({ from: isoOf(current), to: isoOf(current + slotMs) });
      let net = 0;
      for (const f of fills) if (f.counterparty === "local") net += f.side === "buy" ? f.energyWh : -f.energyWh;
      cb.netBySlot.set(current, net);
      cbSocAtNext = batteryStep(cb.spec, cb.socWh, -net / hours, config.slotMinutes);
    }
  };

  // one slot past the end, so that the last slot's readings reach the hub
  for (;;) {
    const clock = await opRest.clock();
    const current = Date.parse(clock.currentSlot);
    const changed = current !== lastSlot;
    if (changed) {
      for (const x of homes) x.home.advanceTo(current);
      await advancePlants(current);
      lastSlot = current;
      o.onProgress?.(Math.min(n, (current - startMs) / slotMs), n);
      if (current >= endMs) break;
    }
    // a loop has work when a slot began or the next open slot has no orders from it yet
    const next = Date.parse(clock.nextOpenSlot);
    const due = homes.filter((x) => changed || (next < endMs && !x.loop.memory?.submitted.includes(next)));
    await Promise.all([...due.map((x) => x.loop.tick()), submitPlantOrders(next)]);
    await (o.between ? o.between() : sleep(o.pollMs ?? 100));
  }
  // every household reports the end of the run (its loop only reports at slot starts it saw)
  await Promise.all(
    homes.map((x) =>
      x.p.rest.submitReadings([
        { meterId: x.p.meterId, at: isoOf(endMs), importWh: x.home.importWh, exportWh: x.home.exportWh },
      ]),
    ),
  );

  return collect();

  async function collect(): Promise<HubRunResult> {
    const dates: string[] = [];
    for (let d = startMs; d < endMs; d += 3_600_000) {
      const date = localDateOf(isoOf(d), config.timeZone);
      if (!dates.includes(date)) dates.push(date);
    }
    const results = await opRest.results({ from: isoOf(startMs), to: isoOf(endMs) });
    const price = new Float64Array(n).fill(Number.NaN);
    const priceByHour = new PriceByHour();
    for (const r of results) {
      const k = (Date.parse(r.slot) - startMs) / slotMs;
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

    const kpis = await kpisOver(dates);
    const series: Series = {
      startMs: Float64Array.from({ length: n }, (_, k) => startMs + k * slotMs),
      price,
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
      series.importWh[k] = Math.max(0, net);
      series.exportWh[k] = Math.max(0, -net);
    }
    const variant = cb ? "local+battery" : "local";
    return {
      communityId,
      hubUrl: o.url,
      variant,
      name: `${VARIANTS[variant]}, end to end on the hub`,
      kpis,
      households: hh,
      others,
      priceByHour: priceByHour.result(),
      series,
      safety: safety.figures,
      retailPrice: config.retailPrice,
      feedInTariff: config.feedInTariff,
    };
  }

  /** The hub's daily KPIs over the run's local days, added up with the hub's own definitions. */
  async function kpisOver(dates: string[]): Promise<Kpis> {
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
}
