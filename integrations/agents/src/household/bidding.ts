import { HubError } from "@openlem/client";
import { DAY_MS, HOUR_MS, slotMs } from "@openlem/protocol";
import type { HouseholdHistory } from "../forecast/history.js";
import type { HouseholdAgent, SlotDecision } from "./agent.js";
import type { DevicePort } from "./device-port.js";
import type { HubLink } from "./hub-link.js";
import { planInputs } from "./plan-inputs.js";

export type BidEvent =
  | { type: "planned"; fromMs: number; slots: number }
  | { type: "submitted"; slot: string; netWh: number }
  | { type: "error"; error: unknown };

export interface BiddingOptions {
  devices: DevicePort;
  link: HubLink;
  /** Slots planned ahead (default one day). */
  horizonSlots?: number | undefined;
  /** Re-plan when the plan is older than this (default one hour). */
  replanMs?: number | undefined;
  /** Names this loop's orders (default "agent"). */
  orderPrefix?: string | undefined;
  /** No orders for slots that start at or after this instant (ms). */
  bidUntilMs?: number | undefined;
  emit: (e: BidEvent) => void;
}

/**
 * Before a gate closes: plans the day ahead when the plan is stale (from the devices' and
 * the history's forecasts, starting where the slot under way leaves the devices) and sends the
 * orders for the next open slot. Returns whether the memory changed (to be saved).
 */
export class Bidding {
  /** The plan in force was made before the history knew a single slot: replan once it does. */
  private plannedBlind = false;

  constructor(private readonly o: BiddingOptions) {}

  async bid(
    now: number,
    nextOpenMs: number,
    agent: HouseholdAgent,
    history: HouseholdHistory | undefined,
    decision: SlotDecision | null,
  ): Promise<boolean> {
    const { link, devices } = this.o;
    const hub = link.hub;
    const community = link.community;
    if (!hub || !community || link.unreachable || link.refusedRecently) return false;
    const m = agent.memory;
    if (m.submitted.includes(nextOpenMs)) return false;
    if (this.o.bidUntilMs !== undefined && nextOpenMs >= this.o.bidUntilMs) return false;
    const minutes = m.minutes;
    const len = slotMs(minutes);
    const known = (history?.size ?? 0) > 0;
    const stale =
      m.plannedAtMs === null || now - m.plannedAtMs >= (this.o.replanMs ?? HOUR_MS) || (this.plannedBlind && known);
    if (stale || !agent.covers(nextOpenMs)) {
      this.plannedBlind = !known;
      const horizon = this.o.horizonSlots ?? Math.round(DAY_MS / len);
      const forecast = await planInputs({
        fromMs: nextOpenMs,
        slots: horizon,
        minutes,
        devices,
        hub,
        market: community.market,
        history,
        nowMs: link.estimatedNow() ?? link.localNow(),
      });
      let state = await devices.read();
      let element: { on: boolean; runSlots: number } | undefined;
      // the plan starts after the slot under way: from where that slot's decision leaves the devices
      if (decision && decision.startMs + len === nextOpenMs) {
        const drawWh = (await devices.forecast(decision.startMs, 1, minutes)).drawWh[0] ?? 0;
        state = agent.stateAfter(decision, state, drawWh);
        element = agent.elementAfter(decision);
      }
      agent.plan(forecast, state, now, element);
      this.o.emit({ type: "planned", fromMs: nextOpenMs, slots: horizon });
    }
    const netWh = agent.plannedNetWh(nextOpenMs) ?? 0;
    const slot = new Date(nextOpenMs).toISOString();
    const i = agent.planIndex(nextOpenMs);
    const source = i >= 0 && (m.batteryW[i] ?? 0) > 0 ? "battery" : "pv";
    try {
      const orders = agent.orders(slot, netWh, community.market, source, this.o.orderPrefix);
      // a plan that neither buys nor sells the slot has nothing to send, and is still the plan
      if (orders.length > 0) agent.recordBid(nextOpenMs, await hub.submitOrders(orders));
      m.submitted.push(nextOpenMs);
      if (orders.length > 0) link.accepted();
      this.o.emit({ type: "submitted", slot, netWh });
      return true;
    } catch (err) {
      link.failed(err);
      // refusals and outages show as the control state, not once per tick
      if (!(err instanceof HubError && err.unusable)) this.o.emit({ type: "error", error: err });
      return false;
    }
  }
}
