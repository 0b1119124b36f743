import { BatterySpec, safeBatteryPower } from "@openlem/agents";
import { z } from "zod";
import { type DeviceKind, reasonFor, registerDevice } from "../../shared/device-node.js";
import type { Red } from "../../shared/red.js";
import { batterySettings, type Options } from "./options.js";

/** msg.payload: state of charge in % (number or sensor state), { socPercent } or { socWh }. */
const State = z.union(
  [
    z.object({ socWh: z.coerce.number().min(0) }),
    z.object({ socPercent: z.coerce.number().min(0).max(100) }),
    z
      .union([
        z.number(),
        z
          .string()
          .trim()
          .regex(/^\d+(\.\d+)?$/, "must be a state of charge in %"),
      ])
      .transform(Number)
      .pipe(z.number().min(0).max(100, "must be a state of charge in % (0 to 100)"))
      .transform((p) => ({ socPercent: p })),
  ],
  {
    error:
      'must be the state of charge: a percentage (a number, or a sensor state such as "64"), { "socPercent": 64 } or { "socWh": 6400 }',
  },
);
type State = { socWh: number };

export const battery: DeviceKind<Options, State> = {
  type: "openlem-battery",
  ...batterySettings,
  input: (payload, _current, o) => {
    const s = State.parse(payload);
    return { socWh: "socWh" in s ? s.socWh : Math.round((s.socPercent / 100) * o.capacityWh) };
  },
  deviceState: (s) => (s ? { socWh: s.socWh } : null),
  // on: charge at full power, off: hold; the window still holds
  overridden: (d, override, o, s, minutes) => {
    const spec = BatterySpec.parse(o);
    const wanted = override === "on" ? -o.maxChargeW : 0;
    const w = safeBatteryPower(spec, s.socWh ?? 0, wanted, minutes);
    return { ...d, batteryW: w, why: [`battery: override ${override}`, ...d.why] };
  },
  command: (d, o) => ({
    topic: o.entity ?? "battery",
    powerW: d.batteryW,
    payload: o.entity
      ? { action: "number.set_value", target: { entity_id: [o.entity] }, data: { value: d.batteryW } }
      : d.batteryW,
  }),
  handBack: () => ({ batteryW: 0 }),
  scheduleEntry: (m, i) => ({ powerW: m.batteryW[i] ?? 0 }),
  waiting: "waiting for the state of charge",
  describe: (d, s) => {
    const what = d.batteryW > 0 ? `discharging ${d.batteryW} W` : d.batteryW < 0 ? `charging ${-d.batteryW} W` : "idle";
    const why = reasonFor(d, "battery");
    return `${what}${s ? ` (${(s.socWh / 1000).toFixed(1)} kWh)` : ""}${why ? `: ${why}` : ""}`;
  },
};

export function registerBattery(RED: Red): void {
  registerDevice(RED, battery);
}
