import { isoOf, localDateOf, type PriceSignal } from "@openlem/protocol";
import type { NodeDef, NodeMessage, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";

/** What the price message needs of the community's market: slot length and calendar. */
export interface PriceCalendar {
  slotMinutes: number;
  timeZone: string;
}

/**
 * The price message: the current slot's price, and every slot from the one under way to the end
 * of tomorrow, each with its end and whether it cleared or is forecast, in the shapes that
 * price-scheduling nodes take: `priceData` for power-saver's strategy nodes (which read each
 * entry's `end`, or the next entry's `start`), and `today` / `tomorrow` in the community's
 * calendar for its `ps-receive-price` node.
 */
export function priceMessage(p: PriceSignal, calendar: PriceCalendar): NodeMessage {
  const len = calendar.slotMinutes * 60_000;
  const priceData = p.forecast.map((f) => ({
    start: f.start,
    end: isoOf(Date.parse(f.start) + len),
    value: f.value,
    kind: f.kind,
  }));
  const today = localDateOf(p.slot, calendar.timeZone);
  const day = (e: { start: string }) => localDateOf(e.start, calendar.timeZone);
  return {
    topic: `openlem/${p.communityId}/price`,
    payload: {
      slot: p.slot,
      price: p.price,
      kind: p.kind,
      source: "OpenLEM",
      priceData,
      today: priceData.filter((e) => day(e) === today),
      tomorrow: priceData.filter((e) => day(e) > today),
    },
  };
}

/** Slot length and calendar from the community, or, while the hub is away, from the signal. */
function calendarOf(p: PriceSignal, market: PriceCalendar | undefined): PriceCalendar {
  if (market) return market;
  const [a, b] = p.forecast;
  const slotMinutes = a && b ? (Date.parse(b.start) - Date.parse(a.start)) / 60_000 : 15;
  return { slotMinutes, timeZone: "UTC" };
}

export function registerPrice(RED: Red): void {
  RED.nodes.registerType("openlem-price", function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const conn = useHub(RED, this, def);
    if (!conn) return;
    let last: PriceSignal | undefined;
    let market: PriceCalendar | undefined;
    const message = (p: PriceSignal) => priceMessage(p, calendarOf(p, market));
    const onPrice = (p: PriceSignal) => {
      last = p;
      conn.marketCommunity().then(
        (c) => {
          market = c.market;
          this.send(message(p));
        },
        () => this.send(message(p)),
      );
    };
    conn.on("price", onPrice);
    conn.live();
    // any input repeats the latest price, e.g. for a dashboard that just started
    this.on("input", (_msg, send, done) => {
      if (last) send(message(last));
      done();
    });
    this.on("close", (_removed, done) => {
      conn.off("price", onPrice);
      done();
    });
  });
}
