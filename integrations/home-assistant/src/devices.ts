import { type DevicePort, type DeviceState, expectedDrawWh, type SlotDecision } from "@openlem/agents";
import { HOUR_MS, isoOf, localHourOf, type MeterReading, nextLocalTime, slotMs } from "@openlem/protocol";
import type { BridgeConfig } from "./config.js";
import type { HaConnection } from "./ha-connection.js";

const ON = new Set(["on", "true", "plugged", "connected", "charging", "home"]);

/**
 * The household's devices as Home Assistant shows them, behind the agent's device port:
 * states from the entities, decisions applied through service calls, the meter's totals as
 * readings (kWh sensors become Wh).
 */
export class HaDevices implements DevicePort {
  private evArrivalMs: number | null = null;
  private evChargedWh = 0;
  private lastEvW = 0;
  private lastEvAt: number | null = null;
  timeZone = "UTC";
  /** The hub's clock, for EV sessions and readings. */
  now: () => number = Date.now;
  lastDecision: SlotDecision | null = null;

  constructor(
    private readonly ha: HaConnection,
    private readonly c: BridgeConfig,
  ) {}

  async read(): Promise<DeviceState> {
    const { c, ha } = this;
    const state: DeviceState = {};
    if (c.battery) {
      const pct = ha.number(c.battery.soc);
      if (pct !== null) state.socWh = Math.round((pct / 100) * c.battery.capacityWh);
    }
    if (c.boiler) {
      const e = ha.states[c.boiler.temperature];
      const t = e?.entity_id.startsWith("water_heater.")
        ? Number(e.attributes.current_temperature)
        : ha.number(c.boiler.temperature);
      const unit = e?.attributes.unit_of_measurement ?? e?.attributes.temperature_unit;
      if (t !== null && Number.isFinite(t)) state.tempC = unit === "°F" ? ((t - 32) * 5) / 9 : t;
      const sw = ha.state(c.boiler.switch);
      if (sw === "on" || sw === "off") state.boilerOn = sw === "on";
    }
    if (c.ev) state.ev = this.evState(c.ev);
    return state;
  }

  private evState(ev: NonNullable<BridgeConfig["ev"]>): DeviceState["ev"] {
    const now = this.now();
    const plugged = ON.has((this.ha.state(ev.plugged) ?? "").toLowerCase());
    // energy delivered since the last look, at the power last set
    if (this.lastEvAt !== null) this.evChargedWh += Math.round((this.lastEvW * (now - this.lastEvAt)) / HOUR_MS);
    this.lastEvAt = now;
    if (!plugged) {
      this.evArrivalMs = null;
      this.evChargedWh = 0;
      return { session: null, chargedWh: 0 };
    }
    this.evArrivalMs ??= now;
    const departure = nextLocalTime(ev.departure, now, this.timeZone);
    return {
      session: {
        arrival: isoOf(this.evArrivalMs),
        departure: isoOf(departure),
        needWh: Math.round(ev.needKwh * 1000),
        maxPowerW: ev.maxPowerW,
      },
      chargedWh: this.evChargedWh,
    };
  }

  async forecast(fromMs: number, slots: number, minutes: number) {
    const draw = this.c.boiler?.drawKwhPerDay ?? 0;
    return {
      // the household's own load and PV the household loop forecasts from its metered history
      drawWh: Array.from({ length: slots }, (_, k) =>
        draw ? expectedDrawWh(draw, localHourOf(isoOf(fromMs + k * slotMs(minutes)), this.timeZone), minutes) : 0,
      ),
    };
  }

  async apply(d: SlotDecision): Promise<void> {
    const { c, ha } = this;
    this.lastDecision = d;
    const calls: Promise<void>[] = [];
    if (c.boiler) {
      const isOn = ha.state(c.boiler.switch) === "on";
      if (isOn !== d.boilerOn)
        calls.push(
          ha.call(c.boiler.switch.split(".")[0] ?? "switch", d.boilerOn ? "turn_on" : "turn_off", c.boiler.switch),
        );
    }
    if (c.battery) {
      const w = c.battery.invert ? -d.batteryW : d.batteryW;
      const value = this.ha.states[c.battery.setpoint]?.attributes.unit_of_measurement === "kW" ? w / 1000 : w;
      calls.push(ha.call(c.battery.setpoint.split(".")[0] ?? "number", "set_value", c.battery.setpoint, { value }));
    }
    if (c.ev) {
      this.lastEvW = d.evW;
      const domain = c.ev.charger.split(".")[0] ?? "switch";
      if (domain === "switch") calls.push(ha.call("switch", d.evW > 0 ? "turn_on" : "turn_off", c.ev.charger));
      else calls.push(ha.call(domain, "set_value", c.ev.charger, { value: d.evW }));
    }
    await Promise.all(calls);
  }

  /** The devices' own control back (each device's `onExit`): the bridge is stopping for good. */
  async release(): Promise<void> {
    const { c, ha } = this;
    const calls: Promise<void>[] = [];
    if (c.boiler && c.boiler.onExit !== "leave") {
      const domain = c.boiler.switch.split(".")[0] ?? "switch";
      calls.push(ha.call(domain, c.boiler.onExit === "on" ? "turn_on" : "turn_off", c.boiler.switch));
    }
    if (c.battery && c.battery.onExit !== "leave") {
      const value = c.battery.invert ? -c.battery.onExit : c.battery.onExit;
      calls.push(ha.call(c.battery.setpoint.split(".")[0] ?? "number", "set_value", c.battery.setpoint, { value }));
    }
    if (c.ev && c.ev.onExit !== "leave") {
      const domain = c.ev.charger.split(".")[0] ?? "switch";
      if (domain === "switch")
        calls.push(ha.call("switch", c.ev.onExit === "on" ? "turn_on" : "turn_off", c.ev.charger));
      else calls.push(ha.call(domain, "set_value", c.ev.charger, { value: c.ev.onExit === "on" ? c.ev.maxPowerW : 0 }));
    }
    // each device on its own: one that fails must not keep the others from their safe state
    const failed = (await Promise.allSettled(calls)).filter((r) => r.status === "rejected");
    if (failed.length)
      throw new Error(`handing back: ${failed.map((f) => String((f as PromiseRejectedResult).reason)).join("; ")}`);
  }

  async meter(): Promise<Omit<MeterReading, "at"> | null> {
    const m = this.c.meter;
    if (!m) return null;
    const wh = (id: string | undefined) => {
      if (!id) return 0;
      const v = this.ha.number(id);
      if (v === null) return null;
      const unit = this.ha.states[id]?.attributes.unit_of_measurement;
      return Math.round(unit === "Wh" ? v : unit === "MWh" ? v * 1_000_000 : v * 1000);
    };
    const importWh = wh(m.import);
    const exportWh = wh(m.export);
    // an unavailable register is not a zero: no reading this time
    if (importWh === null || exportWh === null) return null;
    return { meterId: m.id, importWh, exportWh };
  }
}
