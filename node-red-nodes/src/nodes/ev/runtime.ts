import { safeEvPower } from "@openlem/agents";
import { isoOf, LocalClock, nextLocalTime } from "@openlem/protocol";
import { z } from "zod";
import { type DeviceKind, reasonFor, registerDevice } from "../../shared/device-node.js";
import type { Red } from "../../shared/red.js";
import { evSettings, type Options } from "./options.js";

/**
 * msg.payload: { plugged, departure?, needKwh?, chargedKwh? }, or just true / false (or a
 * binary sensor's "on" / "off") for plugged in. departure is a local time HH:MM (the next one)
 * or an ISO instant.
 */
const State = z.union([
  z.object({
    plugged: z.union([z.boolean(), z.enum(["on", "off"]).transform((s) => s === "on")]),
    departure: z.union([LocalClock, z.iso.datetime({ offset: true })]).optional(),
    needKwh: z.coerce.number().min(0).optional(),
    chargedKwh: z.coerce.number().min(0).optional(),
  }),
  z.union([z.boolean(), z.enum(["on", "off"]).transform((s) => s === "on")]).transform((plugged) => ({ plugged })),
]);

interface Session {
  arrivalMs: number;
  departureMs: number;
  needWh: number;
  chargedWh: number;
}
type State = { plugged: boolean; session: Session | null };

export const ev: DeviceKind<Options, State> = {
  type: "openlem-ev",
  ...evSettings,
  input: (payload, current, o, nowMs, timeZone) => {
    const p = State.parse(payload);
    if (!p.plugged) return { plugged: false, session: null };
    const prev = current?.session ?? null;
    const departure = "departure" in p && p.departure ? p.departure : undefined;
    const departureMs = departure
      ? departure.includes("T")
        ? Date.parse(departure)
        : nextLocalTime(departure, nowMs, timeZone)
      : (prev?.departureMs ?? nextLocalTime(o.departure, nowMs, timeZone));
    const needKwh = "needKwh" in p ? p.needKwh : undefined;
    const chargedKwh = "chargedKwh" in p ? p.chargedKwh : undefined;
    return {
      plugged: true,
      session: {
        arrivalMs: prev?.arrivalMs ?? nowMs,
        departureMs,
        needWh: Math.round((needKwh ?? (prev ? prev.needWh / 1000 : o.needKwh)) * 1000),
        chargedWh: chargedKwh !== undefined ? Math.round(chargedKwh * 1000) : (prev?.chargedWh ?? 0),
      },
    };
  },
  deviceState: (s, o) =>
    s
      ? {
          ev: {
            session:
              s.session && s.session.departureMs > s.session.arrivalMs
                ? {
                    arrival: isoOf(s.session.arrivalMs),
                    departure: isoOf(s.session.departureMs),
                    needWh: s.session.needWh,
                    maxPowerW: o.maxPowerW,
                  }
                : null,
            chargedWh: s.session?.chargedWh ?? 0,
          },
        }
      : null,
  // what the charger delivered in the slot that ended counts towards the target
  afterSlot: (s, d, minutes) =>
    s.session
      ? { ...s, session: { ...s.session, chargedWh: s.session.chargedWh + Math.round((d.evW * minutes) / 60) } }
      : s,
  overridden: (d, override, o, s, minutes) => {
    const session = s.ev?.session ?? null;
    const wanted = override === "on" && session ? o.maxPowerW : 0;
    const w = session ? safeEvPower(session, s.ev?.chargedWh ?? 0, d.startMs, wanted, minutes) : 0;
    return { ...d, evW: override === "off" ? 0 : w, why: [`EV: override ${override}`, ...d.why] };
  },
  command: (d, o) => ({
    topic: o.entity ?? "ev",
    powerW: d.evW,
    payload: o.entity
      ? { action: "number.set_value", target: { entity_id: [o.entity] }, data: { value: d.evW } }
      : d.evW,
  }),
  handBack: (o) => ({ evW: o.maxPowerW }),
  scheduleEntry: (m, i) => ({ powerW: m.evW[i] ?? 0 }),
  waiting: "waiting for the car (plugged in?)",
  describe: (d, s) => {
    if (!s?.plugged) return "not plugged in";
    const left = s.session ? Math.max(0, s.session.needWh - s.session.chargedWh) / 1000 : 0;
    const why = reasonFor(d, "EV");
    return `${d.evW > 0 ? `charging ${d.evW} W` : "waiting"}, ${left.toFixed(1)} kWh to go${why ? `: ${why}` : ""}`;
  },
};

export function registerEv(RED: Red): void {
  registerDevice(RED, ev);
}
