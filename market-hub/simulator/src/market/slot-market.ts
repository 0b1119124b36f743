import {
  type BookOrder,
  clear,
  clearUniformColumns,
  fillColumns,
  type MarketParams,
  type SlotColumns,
  type SlotSettlement,
  SOURCE_CODES,
  settleColumns,
  type TariffTicks,
} from "@openlem/engine";
import type { Source } from "@openlem/protocol";

/** A participant of the simulated market: a household, a plant or the communal battery. */
export interface Participant {
  id: string;
  /** A buyer's own limits per source (the per-source mechanism). */
  sourceLimitTicks?: Partial<Record<Source, number>> | undefined;
}

/** A slot's clearing, per row of the book. */
export interface SlotClearing {
  local: Float64Array;
  localValue: Float64Array;
  utility: Float64Array;
  /** The local volume and its value summed over the markets that traded (value in price ticks × Wh). */
  localWh: number;
  localTicksWh: number;
}

/**
 * One slot's book and meters in columns, reused from slot to slot: a row per order (a
 * participant's net position), a meter per participant. The uniform price clears the columns
 * as they are (`clearUniformColumns`), the engine's fast path; the other mechanisms clear on
 * order objects made from the rows. Either way the slot settles from columns
 * (`settleColumns`), exactly as the ledger would, without an object per order, fill or line.
 */
export class SlotMarket {
  n = 0;
  readonly isBuy: Uint8Array;
  readonly priceTicks: Float64Array;
  readonly energyWh: Float64Array;
  readonly tieKey: Float64Array;
  readonly participant: Int32Array;
  readonly source: Uint8Array;
  readonly importWh: Float64Array;
  readonly exportWh: Float64Array;
  private seq = 0;

  constructor(
    private readonly participants: readonly Participant[],
    maxRows: number,
    private readonly market: MarketParams & { tariff: TariffTicks },
  ) {
    this.isBuy = new Uint8Array(maxRows);
    this.priceTicks = new Float64Array(maxRows);
    this.energyWh = new Float64Array(maxRows);
    this.tieKey = new Float64Array(maxRows);
    this.participant = new Int32Array(maxRows);
    this.source = new Uint8Array(maxRows);
    this.importWh = new Float64Array(participants.length);
    this.exportWh = new Float64Array(participants.length);
  }

  /** Empties the book and the meters for the next slot. */
  reset(): void {
    this.n = 0;
    this.importWh.fill(0);
    this.exportWh.fill(0);
  }

  meter(p: number, importWh: number, exportWh: number): void {
    this.importWh[p] = importWh;
    this.exportWh[p] = exportWh;
  }

  /** Adds participant p's order (one step); its row, in time priority after the rows before it. */
  order(p: number, buy: boolean, priceTicks: number, energyWh: number, source: Source | null): number {
    const k = this.n;
    // refused before anything is written: the rows already in the book stay as they were
    if (k >= this.isBuy.length) throw new RangeError(`the slot's book holds ${this.isBuy.length} orders`);
    this.n = k + 1;
    this.isBuy[k] = buy ? 1 : 0;
    this.priceTicks[k] = priceTicks;
    this.energyWh[k] = energyWh;
    this.tieKey[k] = ++this.seq * 256;
    this.participant[k] = p;
    this.source[k] = SOURCE_CODES.indexOf(source ?? "other");
    return k;
  }

  /** Clears the book at gate closure `atMs`. */
  clear(atMs: number): SlotClearing {
    const { market, n } = this;
    if (market.mechanism === "uniform") {
      const r = clearUniformColumns(
        {
          n,
          isBuy: this.isBuy,
          priceTicks: this.priceTicks,
          energyWh: this.energyWh,
          tieKey: this.tieKey,
          participant: this.participant,
          participants: this.participants.length,
          source: this.source,
        },
        market.tariff,
        { uniformPriceK: market.uniformPriceK, uniformPricing: market.uniformPricing },
      );
      const price = r.priceTicks ?? 0;
      return {
        local: r.local,
        localValue: r.localValue,
        utility: r.utility,
        localWh: r.localWh,
        localTicksWh: price * r.localWh,
      };
    }
    const orders: BookOrder[] = [];
    for (let k = 0; k < n; k++) {
      const who = this.participants[this.participant[k] as number] as Participant;
      const buy = this.isBuy[k] === 1;
      orders.push({
        // the row names the order, so that its fills find their way back
        id: String(k),
        seq: (this.tieKey[k] as number) / 256,
        householdId: who.id,
        side: buy ? "buy" : "sell",
        commodity: "electricity",
        steps: [{ priceTicks: this.priceTicks[k] as number, energyWh: this.energyWh[k] as number }],
        source: buy ? null : (SOURCE_CODES[this.source[k] as number] as Source),
        sourceLimitTicks: buy ? who.sourceLimitTicks : undefined,
      });
    }
    const r = clear({ market, orders, atMs });
    let localWh = 0;
    let localTicksWh = 0;
    // by value, not by a market's price: pay-as-bid has none, each match its own
    for (const m of r.markets) {
      localTicksWh += m.localValue;
      localWh += m.localWh;
    }
    return { ...fillColumns(r.fills, n, (f) => Number(f.orderId)), localWh, localTicksWh };
  }

  /** Settles the slot: what each participant pays, from the clearing and the meters. */
  settle(c: Pick<SlotColumns, "local" | "localValue" | "utility">): SlotSettlement {
    return settleColumns({
      n: this.n,
      isBuy: this.isBuy,
      participant: this.participant,
      participants: this.participants.length,
      local: c.local,
      localValue: c.localValue,
      utility: c.utility,
      importWh: this.importWh,
      exportWh: this.exportWh,
      tariff: this.market.tariff,
    });
  }
}
