import { describeProblems, fieldProblems, MeterReading } from "@openlem/protocol";
import { z } from "zod";
import type { NodeDef, NodeMessage, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";

const Def = z.object({
  meterId: z.string().min(1, "is required: the meter's id from the operator"),
  unit: z.enum(["kWh", "Wh"]).default("kWh"),
  registers: z.enum(["import-export", "import", "export"]).default("import-export"),
});

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

/**
 * Reports the household meter's cumulative registers. msg.payload is either
 * { importWh, exportWh } (or importKwh / exportKwh), or one register's value with msg.topic
 * "import" or "export" (a Home Assistant energy sensor's state, in the node's unit); the node
 * keeps the other register's last value and reports once it knows every register the meter
 * has. Readings are stamped with the hub's clock.
 */
export function registerMeter(RED: Red): void {
  RED.nodes.registerType("openlem-meter", function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const conn = useHub(RED, this, def);
    if (!conn) return;
    const opts = Def.safeParse(def);
    if (!opts.success) {
      this.status({ fill: "red", shape: "ring", text: describeProblems(fieldProblems(opts.error)) });
      return;
    }
    const { meterId, unit } = opts.data;
    const needed = { "import-export": ["importWh", "exportWh"], import: ["importWh"], export: ["exportWh"] }[
      opts.data.registers
    ] as ("importWh" | "exportWh")[];
    const registers: { importWh?: number; exportWh?: number } = {};
    const toWh = (v: number, u: "kWh" | "Wh") => Math.round(u === "kWh" ? v * 1000 : v);
    const fail = (msg: NodeMessage, text: string, done: (e?: Error) => void) => {
      this.status({ fill: "red", shape: "dot", text });
      this.error(text, msg);
      done();
    };
    this.on("input", (msg, send, done) => {
      void (async () => {
        const p = msg.payload;
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
            if (!v.success) return fail(msg, `payload.${key}: ${v.error.issues[0]?.message}`, done);
            registers[reg] = toWh(v.data, u);
          }
        } else {
          const side = msg.topic === "export" ? "exportWh" : msg.topic === "import" || !msg.topic ? "importWh" : null;
          if (!side) return fail(msg, `msg.topic must be "import" or "export", got "${msg.topic}"`, done);
          const v = Register.safeParse(p);
          if (!v.success) return fail(msg, `payload: ${v.error.issues[0]?.message}`, done);
          registers[side] = toWh(v.data, unit);
        }
        // a register reported as 0 before its real value arrives would look like a jump later
        const missing = needed.filter((k) => registers[k] === undefined);
        if (missing.length) {
          this.status({ fill: "yellow", shape: "ring", text: `waiting for the ${missing[0]?.slice(0, 6)} register` });
          return done();
        }
        const at = (await conn.rest.clock()).now;
        const reading = MeterReading.safeParse({
          meterId,
          at,
          importWh: registers.importWh ?? 0,
          exportWh: registers.exportWh ?? 0,
        });
        if (!reading.success) return fail(msg, describeProblems(fieldProblems(reading.error)), done);
        try {
          const r = await conn.rest.submitReadings([reading.data]);
          this.status({
            fill: "green",
            shape: "dot",
            text: `${(reading.data.importWh / 1000).toFixed(1)} / ${(reading.data.exportWh / 1000).toFixed(1)} kWh`,
          });
          send({ ...msg, payload: { reading: reading.data, ...r } });
          done();
        } catch (err) {
          fail(msg, err instanceof Error ? err.message : String(err), done);
        }
      })().catch((err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
    });
  });
}
