import { HubError, type HubRest } from "@openlem/client";
import {
  isoOf,
  localDateOf,
  localMidnightMs,
  localPriceForecast,
  localPriceHistoryWindow,
  type MarketConfig,
  type SlotResult,
  slotMs,
} from "@openlem/protocol";
import type { HouseholdHistory } from "../forecast/history.js";
import type { ForecastSlot } from "./agent.js";
import type { DevicePort } from "./device-port.js";

/**
 * What the household plans from, slot by slot: the local price forecast from the community's
 * recent results (retail and feed-in where it has none), the net load from the household's own
 * history once it knows a slot (the front end's before that), and the front end's hot-water draws.
 */
export async function planInputs(o: {
  fromMs: number;
  slots: number;
  minutes: number;
  devices: DevicePort;
  hub: HubRest | undefined;
  market: MarketConfig | undefined;
  history: HouseholdHistory | undefined;
  /** The household's best idea of the time now (the hub's clock where it knows it). */
  nowMs: number;
}): Promise<ForecastSlot[]> {
  const len = slotMs(o.minutes);
  const own = await o.devices.forecast(o.fromMs, o.slots, o.minutes);
  const { netLoadWh, netLoadSpreadWh } = planNetLoad(o, own.netLoadWh);
  const starts = Array.from({ length: o.slots }, (_, t) => o.fromMs + t * len);
  let past: SlotResult[] = [];
  try {
    past = (await o.hub?.results(localPriceHistoryWindow(o.fromMs, o.fromMs + o.slots * len))) ?? [];
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
  }
  const retail = o.market?.retailPrice ?? Number.NaN;
  const feedIn = o.market?.feedInTariff ?? Number.NaN;
  return localPriceForecast(starts, "electricity", past).map(({ startMs, value }, t) => ({
    startMs,
    buyPrice: value ?? retail,
    sellPrice: value ?? feedIn,
    netLoadWh: netLoadWh[t] ?? 0,
    netLoadSpreadWh: netLoadSpreadWh[t] ?? 0,
    drawWh: own.drawWh[t] ?? 0,
  }));
}

/**
 * The net load to plan from: the history's once it knows a slot (with its spread), before that
 * the front end's (or none), taken as known.
 */
export function planNetLoad(
  o: {
    fromMs: number;
    slots: number;
    history: HouseholdHistory | undefined;
    market: MarketConfig | undefined;
    nowMs: number;
  },
  own: number[] | undefined,
): { netLoadWh: number[]; netLoadSpreadWh: number[] } {
  const known = (netLoadWh: number[]) => ({ netLoadWh, netLoadSpreadWh: new Array<number>(netLoadWh.length).fill(0) });
  if (own && (o.history?.size ?? 0) === 0) return known(own);
  if (!o.history) return known(new Array<number>(o.slots).fill(0));
  // the household's local day, in the community's zone
  const zone = o.market?.timeZone;
  const dayStartMs = zone ? localMidnightMs(localDateOf(isoOf(o.nowMs), zone), zone) : undefined;
  const f = o.history.forecast(o.fromMs, o.slots, o.nowMs, dayStartMs);
  return { netLoadWh: f.netLoadWh, netLoadSpreadWh: f.netLoadSpreadWh };
}
