import { z } from "zod";
import type { NodeMessage } from "../../shared/red.js";

/** A register's value: a number, or a numeric string as a Home Assistant sensor's state is. */
const Register = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d+(\.\d+)?$/, "must be a number"),
  ])
  .transform(Number)
  .pipe(z.number().min(0, "must not be negative (meter registers only count up)"));

export interface Registers {
  importWh?: number;
  exportWh?: number;
}

const toWh = (v: number, u: "kWh" | "Wh") => Math.round(u === "kWh" ? v * 1000 : v);

/**
 * The registers a message carries, in Wh: { importWh, exportWh } (or importKwh / exportKwh),
 * or one register's value with msg.topic "import" or "export" in the node's unit. Returns
 * them, or what is wrong with the message.
 */
export function registersIn(msg: NodeMessage, unit: "kWh" | "Wh"): Registers | { error: string } {
  const p = msg.payload;
  const out: Registers = {};
  if (p !== null && typeof p === "object" && !Array.isArray(p)) {
    const o = p as Record<string, unknown>;
    for (const [key, reg, u] of [
      ["importWh", "importWh", "Wh"],
      ["exportWh", "exportWh", "Wh"],
      ["importKwh", "importWh", "kWh"],
      ["exportKwh", "exportWh", "kWh"],
    ] as const) {
      if (o[key] === undefined) continue;
      const v = Register.safeParse(o[key]);
      if (!v.success) return { error: `payload.${key}: ${v.error.issues[0]?.message}` };
      out[reg] = toWh(v.data, u);
    }
    return out;
  }
  const side = msg.topic === "export" ? "exportWh" : msg.topic === "import" || !msg.topic ? "importWh" : null;
  if (!side) return { error: `msg.topic must be "import" or "export", got "${msg.topic}"` };
  const v = Register.safeParse(p);
  if (!v.success) return { error: `payload: ${v.error.issues[0]?.message}` };
  out[side] = toWh(v.data, unit);
  return out;
}
