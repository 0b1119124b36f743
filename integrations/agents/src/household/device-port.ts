import type { MeterReading } from "@openlem/protocol";
import type { DeviceState, SlotDecision } from "./agent.js";

/** The household's devices, as the bridge or the Node-RED flow sees them. */
export interface DevicePort {
  read(): Promise<DeviceState>;
  /**
   * The household's own expectation per slot from `fromMs`: hot-water draws, and where the
   * front end has one, inflexible load minus PV (such as the site's net load now). The loop
   * forecasts the net load from the household's history (`HouseholdHistory`, learnt from the
   * meter); the front end's serves until that history knows a slot.
   */
  forecast(fromMs: number, slots: number, minutes: number): Promise<{ netLoadWh?: number[]; drawWh: number[] }>;
  apply(decision: SlotDecision): Promise<void>;
  /** The meters' cumulative registers now, to report to the hub; null when none. */
  meter?(): Promise<Omit<MeterReading, "at"> | null>;
  /**
   * The PV's cumulative production register (Wh) now, read with `meter()`; null or absent
   * when the home has no such meter. It lets the history tell load from PV, so a dull
   * morning lowers the afternoon's PV forecast.
   */
  production?(): Promise<number | null>;
  /**
   * Hands the devices back to their own control when the loop stops for good (the boiler to
   * its thermostat, the battery idle): each front end documents the state it leaves.
   */
  release?(): Promise<void>;
}
