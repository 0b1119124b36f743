import {
  isoOf,
  localDateOf,
  localMidnightMs,
  localPriceForecast,
  localPriceHistoryWindow,
  type PriceSignal,
  type SlotResult,
  slotMs,
  topics,
} from "@openlem/protocol";
import type { NodeDef, NodeMessage, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";

/** What the price message needs of the community's market: slot length and calendar. */
export interface PriceCalendar {
  slotMinutes: number;
  timeZone: string;
}

/** A slot of today before the one under way, as the community's history prices it. */
export interface EarlierSlot {
  start: string;
  value: number;
  kind: "cleared" | "forecast";
}

/**
 * The price message: the current slot's price, and every slot of the community's today (from
 * its midnight: the slots before the one under way as they cleared, `earlier`) and tomorrow,
 * each with its end and whether it cleared or is forecast, in the shapes that
 * price-scheduling nodes take: `priceData` for power-saver's strategy nodes (which read each
 * entry's `end`, or the next entry's `start`, and plan whole days such as Lowest Price's
 * 00:00–00:00), and `today` / `tomorrow` in the community's calendar for its
 * `ps-receive-price` node.
 */
export function priceMessage(
  p: PriceSignal,
  calendar: PriceCalendar,
  earlier: readonly EarlierSlot[] = [],
): NodeMessage {
  const len = slotMs(calendar.slotMinutes);
  const first = Date.parse(p.forecast[0]?.start ?? p.slot);
  const priceData = [...earlier.filter((e) => Date.parse(e.start) < first), ...p.forecast].map((f) => ({
    start: f.start,
    end: isoOf(Date.parse(f.start) + len),
    value: f.value,
    kind: f.kind,
  }));
  const today = localDateOf(p.slot, calendar.timeZone);
  const day = (e: { start: string }) => localDateOf(e.start, calendar.timeZone);
  return {
    // the MQTT topic the hub publishes the price on (topics.ts)
    topic: topics.price(p.communityId, p.commodity),
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

/**
 * The slots of the community's today before the one under way, priced as the hub's signal
 * prices a slot (its own clearing, else the week before's mean, else retail).
 */
export function earlierSlotsOfToday(
  p: PriceSignal,
  market: PriceCalendar & { retailPrice: number },
  results: readonly SlotResult[],
): EarlierSlot[] {
  const len = slotMs(market.slotMinutes);
  const current = Date.parse(p.slot);
  const starts: number[] = [];
  for (let t = localMidnightMs(localDateOf(p.slot, market.timeZone), market.timeZone); t < current; t += len)
    starts.push(t);
  return localPriceForecast(starts, p.commodity, results).map((f) => ({
    start: isoOf(f.startMs),
    value: f.value ?? market.retailPrice,
    kind: f.kind,
  }));
}

/**
 * Whether Node-RED's own clock keeps the community's calendar: power-saver plans days and hours
 * by it (luxon's local zone), so a Node-RED in another zone plans the wrong hours.
 */
export function clockProblem(p: PriceSignal, timeZone: string, localZone: string): string | null {
  const day = localDateOf(p.slot, timeZone);
  const [y, m, d] = day.split("-").map(Number);
  const localMidnight = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1).getTime();
  if (localMidnight === localMidnightMs(day, timeZone)) return null;
  return `Node-RED runs in ${localZone}, the community in ${timeZone}: power-saver plans days and hours by Node-RED's own clock, so start Node-RED with TZ=${timeZone}`;
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
    let market: (PriceCalendar & { retailPrice: number }) | undefined;
    let earlier: EarlierSlot[] = [];
    let warned = false;
    const message = (p: PriceSignal) => priceMessage(p, calendarOf(p, market), earlier);
    const onPrice = (p: PriceSignal) => {
      last = p;
      void (async () => {
        try {
          const c = await conn.marketCommunity();
          market = c.market;
          const problem = clockProblem(p, c.market.timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone);
          if (problem && !warned) {
            warned = true;
            this.warn(problem);
          }
          // the day's earlier slots, so that day-based strategies see whole days
          const from = localMidnightMs(localDateOf(p.slot, c.market.timeZone), c.market.timeZone);
          const results = await conn.rest.results(localPriceHistoryWindow(from, Date.parse(p.slot)));
          earlier = earlierSlotsOfToday(p, c.market, results);
        } catch {
          // the hub away: the day from the slot under way, as the signal has it
          earlier = earlier.filter(
            (e) => localDateOf(e.start, market?.timeZone ?? "UTC") === localDateOf(p.slot, market?.timeZone ?? "UTC"),
          );
        }
        this.send(message(p));
      })();
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
