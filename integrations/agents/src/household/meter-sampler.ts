import type { MeterReading } from "@openlem/protocol";
import { z } from "zod";

/** A read of the meter's registers, stamped with the moment it was taken. */
export const MeterRead = z.object({
  atMs: z.number(),
  meterId: z.string(),
  importWh: z.number().int().min(0),
  exportWh: z.number().int().min(0),
  derived: z.boolean().optional(),
});
export type MeterRead = z.output<typeof MeterRead>;

/** What the sampler remembers across restarts. */
export const SamplerMemory = z.object({
  /** The last plausible read (the baseline for the next). */
  last: MeterRead.nullable(),
  /** The newest timestamp sent (ms): nothing at or before it is sent again. */
  sentUpToMs: z.number().nullable(),
});
export type SamplerMemory = z.output<typeof SamplerMemory>;

export interface SamplerOptions {
  slotMs: number;
  /** Most the meter can deliver (W), import or export: a faster rise is implausible. */
  maxPowerW: number;
  /** Two reads this close around a slot boundary give its value by interpolation (ms). */
  interpolateWithinMs: number;
}

/** What is wrong with a register read against the last plausible one, or null. */
export type RegisterProblem =
  | { kind: "backwards"; register: "import" | "export"; fromWh: number; toWh: number }
  | { kind: "implausible"; register: "import" | "export"; jumpWh: number; seconds: number; maxWh: number };

/**
 * A register that goes backwards (a meter swap or reset), or one that rose further than the
 * meter's maximum power could make it rise in the time between the two reads.
 */
export function registerProblem(
  prev: { atMs: number; importWh: number; exportWh: number },
  read: { atMs: number; importWh: number; exportWh: number },
  maxPowerW: number,
): RegisterProblem | null {
  const seconds = Math.max(0, (read.atMs - prev.atMs) / 1000);
  const maxWh = Math.ceil((maxPowerW * seconds) / 3600) + 1;
  for (const register of ["import", "export"] as const) {
    const jumpWh = read[`${register}Wh`] - prev[`${register}Wh`];
    if (jumpWh > maxWh) return { kind: "implausible", register, jumpWh, seconds, maxWh };
  }
  for (const register of ["import", "export"] as const) {
    const fromWh = prev[`${register}Wh`];
    const toWh = read[`${register}Wh`];
    if (toWh < fromWh) return { kind: "backwards", register, fromWh, toWh };
  }
  return null;
}

/** How a register problem reads in a status or a log. */
export function describeRegisterProblem(p: RegisterProblem): string {
  return p.kind === "implausible"
    ? `${p.register} register rose ${p.jumpWh} Wh in ${Math.round(p.seconds)} s, more than the meter's maximum power allows (${p.maxWh} Wh): reading held back; check the register's entity and unit`
    : `${p.register} register went backwards from ${p.fromWh} to ${p.toWh} Wh (meter replaced or reset?): sent, the hub counts that interval as zero`;
}

/** The readings to send now, and what was wrong with the read, if anything. */
export type SampleOutcome = { readings: MeterReading[] } & ({ kind: "ok"; problem: null } | RegisterProblem);

/**
 * Turns the meter's registers, read whenever the loop looks, into readings for the hub. A
 * reading carries the time its registers were read, never a slot's start: where two reads lie
 * close around a slot boundary the boundary's value is interpolated between them (so slots
 * are metered exactly), otherwise the read goes out with its own time and the hub spreads the
 * interval. Nothing is sent at or before a time already sent, so a restart or a new loop
 * never re-sends an old timestamp with new values. A register that goes backwards (a meter
 * swap) is sent and reported; one that rises faster than the meter's maximum power could
 * make it is held back and reported, and the baseline stays at the last plausible read.
 */
export class MeterSampler {
  readonly memory: SamplerMemory;

  constructor(
    readonly o: SamplerOptions,
    memory?: SamplerMemory,
  ) {
    this.memory = memory ? structuredClone(memory) : { last: null, sentUpToMs: null };
  }

  sample(read: MeterRead): SampleOutcome {
    const m = this.memory;
    const prev = m.last;
    if (prev && read.atMs <= prev.atMs) return { kind: "ok", readings: [], problem: null };
    const problem = prev ? registerProblem(prev, read, this.o.maxPowerW) : null;
    if (problem?.kind === "implausible") return { ...problem, readings: [] };
    const readings = this.readingsFor(prev, read);
    m.last = read;
    const last = readings.at(-1);
    if (last) m.sentUpToMs = Date.parse(last.at);
    return problem ? { ...problem, readings } : { kind: "ok", readings, problem: null };
  }

  private readingsFor(prev: MeterRead | null, read: MeterRead): MeterReading[] {
    const { slotMs } = this.o;
    const after = (ms: number) => this.memory.sentUpToMs === null || ms > this.memory.sentUpToMs;
    const boundary = Math.floor(read.atMs / slotMs) * slotMs;
    const out: MeterReading[] = [];
    if (read.atMs === boundary) {
      if (after(read.atMs)) out.push(readingOf(read, read.atMs, read.importWh, read.exportWh));
      return out;
    }
    if (!prev || prev.atMs >= boundary) return out; // no boundary passed since the last read
    const gap = read.atMs - prev.atMs;
    const backwards = read.importWh < prev.importWh || read.exportWh < prev.exportWh;
    if (
      gap <= this.o.interpolateWithinMs &&
      !backwards &&
      Math.floor(prev.atMs / slotMs) * slotMs + slotMs === boundary
    ) {
      // the one boundary between two close reads: its value, interpolated
      if (after(boundary)) {
        const f = (boundary - prev.atMs) / gap;
        out.push(
          readingOf(
            read,
            boundary,
            prev.importWh + Math.round((read.importWh - prev.importWh) * f),
            prev.exportWh + Math.round((read.exportWh - prev.exportWh) * f),
          ),
        );
      }
      return out;
    }
    // a long gap (the loop was away) or a reset: the reads themselves, at the times they were taken
    if (after(prev.atMs)) out.push(readingOf(prev, prev.atMs, prev.importWh, prev.exportWh));
    if (after(read.atMs)) out.push(readingOf(read, read.atMs, read.importWh, read.exportWh));
    return out;
  }
}

function readingOf(r: MeterRead, atMs: number, importWh: number, exportWh: number): MeterReading {
  return {
    meterId: r.meterId,
    at: new Date(atMs).toISOString(),
    importWh,
    exportWh,
    ...(r.derived ? { derived: true } : {}),
  };
}
