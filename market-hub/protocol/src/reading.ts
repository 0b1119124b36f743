import { z } from "zod";
import { HouseholdId, MeterId } from "./ids.js";
import { UtcInstant } from "./time.js";

const Register = z
  .number()
  .int({ message: "must be a whole number of Wh" })
  .min(0, { message: "must not be negative (registers count up from 0)" })
  .max(Number.MAX_SAFE_INTEGER);

/** A signature made on the device over the canonical reading (see docs/protocol.md). */
export const ReadingSignature = z.object({
  alg: z.enum(["ed25519"]),
  keyId: z.string().min(1).max(128),
  value: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, { message: "must be base64" }),
});
export type ReadingSignature = z.infer<typeof ReadingSignature>;

/** A meter reading: cumulative import and export registers, as the meter shows them. */
export const MeterReading = z.object({
  meterId: MeterId,
  at: UtcInstant,
  importWh: Register,
  exportWh: Register,
  signature: ReadingSignature.optional(),
  /** The registers were integrated from power over time (no energy counter), not read from a meter. */
  derived: z.boolean().optional(),
});
export type MeterReadingInput = z.input<typeof MeterReading>;
export type MeterReading = z.output<typeof MeterReading>;

export const ReadingBatch = z.object({ readings: z.array(MeterReading).min(1).max(10_000) });
export type ReadingBatch = z.output<typeof ReadingBatch>;

/**
 * A household's metered energy in one slot, from its meters' register differences. `estimated`:
 * the slot was not bounded by readings at both ends (a gap healed by interpolation);
 * `registerReset`: a register went backwards (meter swap), and that interval counts as zero.
 */
export const SlotEnergy = z.object({
  householdId: HouseholdId,
  slot: UtcInstant,
  importWh: z.number().int().min(0),
  exportWh: z.number().int().min(0),
  estimated: z.boolean(),
  registerReset: z.boolean(),
});
export type SlotEnergy = z.output<typeof SlotEnergy>;

/** The exact bytes a device signs: the fields in a fixed order, energy as integers. */
export function canonicalReading(r: MeterReading): string {
  return `${r.meterId}|${r.at}|${r.importWh}|${r.exportWh}`;
}
