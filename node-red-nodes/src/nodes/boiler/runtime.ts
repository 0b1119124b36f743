import { expectedDrawWh } from "@openlem/agents";
import { z } from "zod";
import { type DeviceKind, reasonFor, registerDevice } from "../../shared/device-node.js";
import type { Red } from "../../shared/red.js";
import { boilerSettings, type Options } from "./options.js";

/** msg.payload: the tank temperature (°C), as a number, a sensor's state string, or { tempC }. */
const State = z.union(
  [
    z.object({ tempC: z.coerce.number() }),
    z
      .union([
        z.number(),
        z
          .string()
          .trim()
          .regex(/^-?\d+(\.\d+)?$/, "must be a temperature in °C"),
      ])
      .transform((t) => ({
        tempC: Number(t),
      })),
  ],
  {
    error: 'must be the tank temperature in °C: a number, a sensor state such as "52.5", or { "tempC": 52.5 }',
  },
);
type State = { tempC: number };

export const boiler: DeviceKind<Options, State> = {
  type: "openlem-boiler",
  ...boilerSettings,
  input: (payload) => State.parse(payload),
  deviceState: (s) => (s ? { tempC: s.tempC } : null),
  drawWh: (o, hour, minutes) => expectedDrawWh(o.drawKwhPerDay, hour, minutes),
  command: (d, o) => ({
    topic: o.entity ?? "boiler",
    on: d.boilerOn,
    payload: o.entity
      ? { action: d.boilerOn ? "switch.turn_on" : "switch.turn_off", target: { entity_id: [o.entity] } }
      : d.boilerOn
        ? "on"
        : "off",
  }),
  handBack: () => ({ boilerOn: true }),
  scheduleEntry: (m, i) => ({ on: m.boilerOn[i] ?? false }),
  waiting: "waiting for the tank temperature",
  describe: (d, s) => {
    const why = reasonFor(d, "boiler");
    return `${d.boilerOn ? "heating" : "off"}${s ? ` at ${s.tempC.toFixed(1)} °C` : ""}: ${why ?? (d.boilerOn ? "cheap slot in the plan" : "waiting for cheaper slots")}`;
  },
};

export function registerBoiler(RED: Red): void {
  registerDevice(RED, boiler);
}
