import type { DeviceState, SlotDecision } from "@openlem/agents";
import type { DeviceSettings } from "./options.js";
import type { NodeMessage } from "./red.js";

/**
 * What differs between the boiler, battery and EV nodes. Its settings (options and the
 * household spec they make, in the node's options.ts) are what the edit dialog checks too.
 */
export interface DeviceKind<O, S> extends DeviceSettings<O> {
  type: string;
  /** Parses msg.payload into the device's state (or a change of it). */
  input(payload: unknown, current: S | undefined, o: O, nowMs: number, timeZone: string): S;
  /** What the agent sees of the state at `nowMs`; null until the device reported enough. */
  deviceState(s: S | undefined, o: O): DeviceState | null;
  /** What the device must do when the user overrides it (on / off), for the power devices. */
  overridden?(d: SlotDecision, override: "on" | "off", o: O, s: DeviceState, minutes: number): SlotDecision;
  /** The device's share of the slot's energy once the slot ran (for its own bookkeeping). */
  afterSlot?(s: S, d: SlotDecision, minutes: number): S;
  drawWh?(o: O, localHour: number, minutes: number): number;
  command(d: SlotDecision, o: O): NodeMessage;
  /**
   * What the device gets when the node stops (redeploy, Node-RED stopping, node removed): its
   * own control back. The boiler's element on (its thermostat rules), the battery idle, the
   * EV charging as it would without OpenLEM.
   */
  handBack(o: O): Partial<Pick<SlotDecision, "boilerOn" | "batteryW" | "evW">>;
  /** The schedule's entry for one planned slot. */
  scheduleEntry(memory: { batteryW: number[]; boilerOn: boolean[]; evW: number[] }, i: number): Record<string, unknown>;
  waiting: string;
  describe(d: SlotDecision, s: S | undefined): string;
}
