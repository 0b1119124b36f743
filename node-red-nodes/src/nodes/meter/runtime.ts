import { describeRegisterProblem, registerProblem } from "@openlem/agents";
import { describeProblems, fieldProblems, MeterReading } from "@openlem/protocol";
import { type FlushResult, Outbox } from "../../shared/outbox.js";
import type { NodeDef, NodeMessage, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";
import { Def } from "./options.js";
import { type Registers, registersIn } from "./registers.js";
import { meterStatus } from "./status.js";

/** The last reading taken, in the node's context: the baseline for the next one. */
const LAST = "openlem-last-reading";
/** More than a house connection delivers (3 × 63 A at 230 V is about 43 kW). */
const MAX_POWER_W = 50_000;

/**
 * Reports the household meter's cumulative registers. msg.payload is either
 * { importWh, exportWh } (or importKwh / exportKwh), or one register's value with msg.topic
 * "import" or "export" (a Home Assistant energy sensor's state, in the node's unit); the node
 * keeps the other register's last value and reports once it knows every register the meter
 * has. Readings are stamped with the hub's clock when the value arrives. While the hub is away
 * they wait in the node's context and go, in order and each once, when it is back; the status
 * says how many wait.
 */
export function registerMeter(RED: Red): void {
  RED.nodes.registerType("openlem-meter", function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const opts = Def.safeParse(def);
    const conn = useHub(RED, this, def, opts.success ? null : describeProblems(fieldProblems(opts.error)));
    if (!conn || !opts.success) return;
    const { meterId, unit } = opts.data;
    const needed = { "import-export": ["importWh", "exportWh"], import: ["importWh"], export: ["exportWh"] }[
      opts.data.registers
    ] as ("importWh" | "exportWh")[];
    const registers: Registers = {};
    const outbox = new Outbox<MeterReading, { accepted: number; duplicates: number }>(
      this,
      "openlem-pending-readings",
      (readings) => conn.rest.submitReadings(readings),
      1_000,
      "readings",
    );
    /** What the hub took (a reading it had already counts as a duplicate, not as taken). */
    const accepted = (r: FlushResult<MeterReading, { accepted: number }>) =>
      r.answers.reduce((a, x) => a + x.accepted, 0);
    /** The status after a flush: sent, refused (said), or how many wait for the hub or a new token. */
    const report = (r: FlushResult<MeterReading, { accepted: number }>, sentText: string) => {
      for (const x of r.refused) {
        const why = x.error instanceof Error ? x.error.message : String(x.error);
        this.error(`the hub refused ${x.items.length} reading(s): ${why}`);
      }
      conn.refusedBy(r.stoppedBy);
      this.status(meterStatus(r, conn.refusal, sentText));
    };
    // what waits goes when the hub answers again: on reconnect, and every 15 s
    outbox.keepSending(conn, (r) => {
      if (r.sent.length) this.send({ topic: "sent later", payload: { readings: r.sent, accepted: accepted(r) } });
      report(r, `${r.sent.length} waiting reading(s) sent`);
    });
    const fail = (msg: NodeMessage, text: string, done: (e?: Error) => void) => {
      this.status({ fill: "red", shape: "dot", text });
      this.error(text, msg);
      done();
    };
    this.on("input", (msg, send, done) => {
      void (async () => {
        const got = registersIn(msg, unit);
        if ("error" in got) return fail(msg, got.error, done);
        Object.assign(registers, got);
        // a register reported as 0 before its real value arrives would look like a jump later
        const missing = needed.filter((k) => registers[k] === undefined);
        if (missing.length) {
          this.status({ fill: "yellow", shape: "ring", text: `waiting for the ${missing[0]?.slice(0, 6)} register` });
          return done();
        }
        // the time the registers were read: the hub's clock, or worked out from it while it is away
        const at = await conn.now();
        const reading = MeterReading.safeParse({
          meterId,
          at,
          importWh: registers.importWh ?? 0,
          exportWh: registers.exportWh ?? 0,
        });
        if (!reading.success) return fail(msg, describeProblems(fieldProblems(reading.error)), done);
        // a register that leaps further than the meter could deliver is held back; one that
        // goes backwards (a meter swap) is sent, and both are said
        const last = this.context().get(LAST) as { at: string; importWh: number; exportWh: number } | undefined;
        const problem = last
          ? registerProblem(
              { ...last, atMs: Date.parse(last.at) },
              { ...reading.data, atMs: Date.parse(reading.data.at) },
              MAX_POWER_W,
            )
          : null;
        if (problem) this.warn(`${meterId}: ${describeRegisterProblem(problem)}`);
        if (problem?.kind === "implausible") {
          this.status({ fill: "red", shape: "dot", text: `reading held back: ${problem.register} rose too fast` });
          return done();
        }
        this.context().set(LAST, reading.data);
        // behind what already waits, so the hub gets them in order
        outbox.add([reading.data]);
        // a token the hub refused, or one of another household: kept, not sent, until it is mended
        if (conn.refusal ?? (await conn.checkIdentity())) {
          report({ sent: [], answers: [], refused: [], waiting: outbox.items.length, stoppedBy: null }, "");
          return done();
        }
        const r = await outbox.flush();
        const kwh = `${(reading.data.importWh / 1000).toFixed(1)} / ${(reading.data.exportWh / 1000).toFixed(1)} kWh`;
        report(r, kwh);
        if (r.sent.some((x) => x.at === reading.data.at))
          send({ ...msg, payload: { reading: reading.data, accepted: accepted(r), sent: r.sent.length } });
        done();
      })().catch((err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
    });
  });
}
