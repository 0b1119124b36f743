import { HubError } from "@openlem/client";
import type { MeterReading } from "@openlem/protocol";

/** At most this many readings wait for the hub (about three weeks of 15-minute slots). */
export const MAX_PENDING_READINGS = 2_000;

/** New boundary readings join those waiting for the hub; past the cap the oldest go. */
export function queueReadings(pending: MeterReading[], fresh: readonly MeterReading[]): void {
  pending.push(...fresh);
  if (pending.length > MAX_PENDING_READINGS) pending.splice(0, pending.length - MAX_PENDING_READINGS);
}

/**
 * What stays queued after the hub did not take a batch (the batch is the queue's head): an
 * outage keeps everything for when the hub is back; a refusal that names readings (422) drops
 * those (the hub keeps what it had) and keeps the rest; a refusal that names none drops the
 * batch; a token the hub refuses keeps everything. Says whether the error is worth reporting
 * (an outage or a refused token shows as the control state instead).
 */
export function afterFailedSubmit(pending: MeterReading[], batch: readonly MeterReading[], err: unknown): boolean {
  if (err instanceof HubError && err.unreachable) return false;
  if (err instanceof HubError && err.status === 422) {
    const refused = new Set(
      err.errors.map((e) => /^readings\[(\d+)\]/.exec(e.field)?.[1]).filter((i) => i !== undefined),
    );
    const keep = refused.size ? batch.filter((_, i) => !refused.has(String(i))) : [];
    pending.splice(0, batch.length, ...keep);
    return true;
  }
  return !(err instanceof HubError && err.unusable);
}
