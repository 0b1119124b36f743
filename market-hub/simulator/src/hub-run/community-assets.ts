import { BatterySpec, batteryStep, type LoopEvent, safeBatteryPower } from "@openlem/agents";
import { HubError } from "@openlem/client";
import { isoOf, type OrderInput, slotMs } from "@openlem/protocol";
import type { CommunityProfiles } from "../community-profiles.js";
import type { CommunalBattery, Generator, LoadedScenario } from "../scenario.js";
import type { Joined, Member } from "./join.js";

interface Plant {
  g: Generator;
  p: Member;
  exportWh: number;
  submitted: Set<number>;
}

interface Battery {
  def: CommunalBattery;
  spec: BatterySpec;
  p: Member;
  socWh: number;
  importWh: number;
  exportWh: number;
  netBySlot: Map<number, number>;
  submitted: Set<number>;
}

/**
 * The community's own plants and its communal battery on the hub: they bid each open slot
 * (a plant its production at its ask; the battery what its power and charge allow) and report
 * their meters at every slot boundary, as a household's devices do through their loops.
 */
export class CommunityAssets {
  readonly plants: Plant[];
  readonly battery: Battery | undefined;
  /** Per slot of the run: the plants' production and the battery's net import (Wh). */
  readonly plantSeries: Float64Array;
  readonly batterySeries: Float64Array;
  private socAtNext: number;
  private readonly slotMs: number;
  private readonly hours: number;

  constructor(
    private readonly o: {
      loaded: LoadedScenario;
      joined: Joined;
      prof: CommunityProfiles;
      startMs: number;
      endMs: number;
      slots: number;
      onEvent?: ((id: string, e: LoopEvent) => void) | undefined;
    },
  ) {
    const { scenario, market: config } = o.loaded;
    this.slotMs = slotMs(config.slotMinutes);
    this.hours = config.slotMinutes / 60;
    this.plants = scenario.generators.map((g, i) => ({
      g,
      p: o.joined.plants[i] as Member,
      exportWh: 0,
      submitted: new Set<number>(),
    }));
    const def = scenario.communalBattery;
    const member = o.joined.communalBattery;
    this.battery =
      def && member
        ? {
            def,
            spec: BatterySpec.parse({
              capacityWh: def.capacityWh,
              maxChargeW: def.powerW,
              maxDischargeW: def.powerW,
              roundTripEfficiency: def.roundTripEfficiency,
              minSoc: def.minSoc,
              maxSoc: def.maxSoc,
            }),
            p: member,
            socWh: def.capacityWh * def.minSoc,
            importWh: 0,
            exportWh: 0,
            netBySlot: new Map(),
            submitted: new Set(),
          }
        : undefined;
    this.plantSeries = new Float64Array(o.slots);
    this.batterySeries = new Float64Array(o.slots);
    this.socAtNext = this.battery?.socWh ?? 0;
  }

  /** A plant's or the battery's orders; one that comes too late misses its slot, as at a real hub. */
  private async send(id: string, rest: Member["rest"], orders: OrderInput[]): Promise<void> {
    try {
      await rest.submitOrders(orders);
    } catch (error) {
      if (!(error instanceof HubError) || error.status !== 422) throw error;
      this.o.onEvent?.(id, { type: "error", error });
    }
  }

  /** Bids for the open slot starting at `slotStart`, once. */
  async submitOrders(slotStart: number): Promise<void> {
    if (slotStart >= this.o.endMs) return;
    const t = this.o.prof.indexOf(slotStart);
    const slot = isoOf(slotStart);
    const minutes = this.o.loaded.market.slotMinutes;
    for (const pl of this.plants) {
      if (pl.submitted.has(slotStart) || t < 0) continue;
      const wh = this.o.prof.generatorWh(pl.g, t);
      pl.submitted.add(slotStart);
      if (wh > 0)
        await this.send(pl.g.id, pl.p.rest, [
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
    const cb = this.battery;
    if (cb && !cb.submitted.has(slotStart)) {
      cb.submitted.add(slotStart);
      const chargeWh = Math.floor(-safeBatteryPower(cb.spec, this.socAtNext, -1e9, minutes) * this.hours);
      const dischargeWh = Math.floor(safeBatteryPower(cb.spec, this.socAtNext, 1e9, minutes) * this.hours);
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
      if (orders.length) await this.send(cb.def.id, cb.p.rest, orders);
    }
  }

  /** At a slot boundary: counts the slot that ended and reports the meters. */
  async advance(current: number): Promise<void> {
    const { startMs, slots, prof } = this.o;
    const minutes = this.o.loaded.market.slotMinutes;
    const prev = current - this.slotMs;
    const k = (prev - startMs) / this.slotMs;
    const tPrev = prof.indexOf(prev);
    const cb = this.battery;
    if (k >= 0 && k < slots && tPrev >= 0) {
      for (const pl of this.plants) {
        const wh = prof.generatorWh(pl.g, tPrev);
        pl.exportWh += wh;
        this.plantSeries[k] = (this.plantSeries[k] as number) + wh;
      }
      if (cb) {
        const net = cb.netBySlot.get(prev) ?? 0;
        cb.socWh = batteryStep(cb.spec, cb.socWh, -net / this.hours, minutes);
        cb.importWh += Math.max(0, net);
        cb.exportWh += Math.max(0, -net);
        this.batterySeries[k] = net;
      }
    }
    const at = isoOf(current);
    for (const pl of this.plants)
      await pl.p.rest.submitReadings([{ meterId: pl.p.meterId, at, importWh: 0, exportWh: pl.exportWh }]);
    if (cb) {
      await cb.p.rest.submitReadings([{ meterId: cb.p.meterId, at, importWh: cb.importWh, exportWh: cb.exportWh }]);
      // the slot now delivered cleared at its gate: its fills fix the charge at the next slot's start
      const fills = await cb.p.rest.fills({ from: isoOf(current), to: isoOf(current + this.slotMs) });
      let net = 0;
      for (const f of fills) if (f.counterparty === "local") net += f.side === "buy" ? f.energyWh : -f.energyWh;
      cb.netBySlot.set(current, net);
      this.socAtNext = batteryStep(cb.spec, cb.socWh, -net / this.hours, minutes);
    }
  }
}
