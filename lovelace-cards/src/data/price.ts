import { DAY_MS, slotMs } from "@openlem/protocol/durations";
import { PRICE_ATTRIBUTES } from "@openlem/protocol/entities";
import { isoOf, localDateOf, localMidnightMs } from "@openlem/protocol/zone";
import type { HassEntity } from "../shared/hass.js";

export interface PriceSlot {
  startMs: number;
  value: number;
  kind: "cleared" | "forecast";
}

export interface PriceView {
  slots: PriceSlot[];
  current: number | null;
  retail: number | null;
  feedIn: number | null;
  floor: number | null;
  cap: number | null;
  currency: string;
  slotMinutes: number;
  /** The community's time zone (the sensor's `time_zone`), or null from an older hub. */
  timeZone: string | null;
}

const A = PRICE_ATTRIBUTES;
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * The price sensor as the cards draw it: its forecast attribute (`[{start, value, kind}]`,
 * malformed entries left out) sorted by time, and the market's limits from its attributes.
 */
export function priceView(entity: HassEntity | undefined): PriceView {
  const a = entity?.attributes ?? {};
  const forecast = a[A.forecast];
  const raw = Array.isArray(forecast) ? forecast : [];
  const slots: PriceSlot[] = [];
  for (const f of raw) {
    if (typeof f !== "object" || f === null) continue;
    const o = f as Record<string, unknown>;
    const startMs = typeof o.start === "string" ? Date.parse(o.start) : Number.NaN;
    const value = num(o.value);
    if (!Number.isFinite(startMs) || value === null) continue;
    slots.push({ startMs, value, kind: o.kind === "cleared" ? "cleared" : "forecast" });
  }
  slots.sort((x, y) => x.startMs - y.startMs);
  const state = entity ? Number(entity.state) : Number.NaN;
  return {
    slots,
    current: Number.isFinite(state) && entity?.state !== "" ? state : null,
    retail: num(a[A.retailPrice]),
    feedIn: num(a[A.feedInTariff]),
    floor: num(a[A.priceFloor]),
    cap: num(a[A.priceCap]),
    currency: typeof a[A.currency] === "string" ? (a[A.currency] as string) : "EUR",
    slotMinutes: num(a[A.slotMinutes]) ?? 15,
    timeZone: typeof a[A.timeZone] === "string" && a[A.timeZone] !== "" ? (a[A.timeZone] as string) : null,
  };
}

/** The slots from local midnight of `nowMs`'s day to the end of the next day (when known). */
export function todayAndTomorrow(slots: readonly PriceSlot[], dayStartMs: number): PriceSlot[] {
  return slots.filter((s) => s.startMs >= dayStartMs && s.startMs < dayStartMs + 2 * DAY_MS);
}

/**
 * The cheapest run of `length` consecutive slots that has not ended yet (lowest mean price;
 * the earliest on a tie), as [first, last] indexes; null when there are not enough slots.
 */
export function cheapestWindow(
  slots: readonly PriceSlot[],
  length: number,
  nowMs: number,
  slotMinutes: number,
): [number, number] | null {
  const len = slotMs(slotMinutes);
  let best: [number, number] | null = null;
  let bestSum = Number.POSITIVE_INFINITY;
  for (let i = 0; i + length <= slots.length; i++) {
    const last = slots[i + length - 1] as PriceSlot;
    if (last.startMs + len <= nowMs) continue;
    // only consecutive slots count as a window
    if (last.startMs - (slots[i] as PriceSlot).startMs !== (length - 1) * len) continue;
    let sum = 0;
    for (let k = i; k < i + length; k++) sum += (slots[k] as PriceSlot).value;
    if (sum < bestSum - 1e-12) {
      bestSum = sum;
      best = [i, i + length - 1];
    }
  }
  return best;
}

/** Midnight of the day of `nowMs` in `timeZone` (the community's), wherever the browser is. */
export function localDayStart(nowMs: number, timeZone: string): number {
  return localMidnightMs(localDateOf(isoOf(nowMs), timeZone), timeZone);
}

/**
 * The calendar the cards draw in: the community's (from the price sensor), else Home
 * Assistant's configured zone, else the browser's.
 */
export function drawingZone(communityZone: string | null, hassZone: string | undefined): string {
  return communityZone ?? hassZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}
