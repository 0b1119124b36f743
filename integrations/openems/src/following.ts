/** Whether the battery does what the bridge asked, from its power and the API worker's log. */
export type Following = { ok: true } | { ok: false; why: string };

/** Within this much of the set-point (W, or this share of it) the battery follows. */
const TOLERANCE_W = 100;
const TOLERANCE_SHARE = 0.05;

/**
 * Judges a read-back: the battery's `ActivePower` against the set-point (clamped to the
 * battery's powers, which the Edge does too), and the REST controller's `ApiWorkerLog`
 * (`address:value|…`, `-ERROR:<message>` on a failed write; OpenEMS's ApiWorker). A 200 for
 * the write says only that the API worker took it: controllers scheduled before the REST
 * controller (emergency reserve, §14a limiter, fixed power, balancing) constrain the battery
 * silently, and some drivers ignore set-points.
 */
export function judgeFollowing(i: {
  setpointW: number;
  actualW: number | null;
  maxChargeW: number;
  maxDischargeW: number;
  workerLog: string | null;
  channel: string;
}): Following {
  const expected = Math.max(-i.maxChargeW, Math.min(i.maxDischargeW, i.setpointW));
  const entry = (i.workerLog ?? "").split("|").find((e) => e.startsWith(`${i.channel}:`));
  const error = entry ? /-ERROR:(.*)$/.exec(entry)?.[1] : undefined;
  if (error) return { ok: false, why: `the Edge could not write ${i.channel}: ${error.trim()}` };
  if (i.actualW === null) return { ok: false, why: "the Edge reports no battery power to check the set-point against" };
  if (Math.abs(i.actualW - expected) <= Math.max(TOLERANCE_W, TOLERANCE_SHARE * Math.abs(expected)))
    return { ok: true };
  if (!entry)
    return {
      ok: false,
      why: `the battery runs at ${i.actualW} W instead of ${expected} W and the Edge's API worker holds no set-point for ${i.channel} (its API timeout passed, or another client released it)`,
    };
  return {
    ok: false,
    why:
      `the battery runs at ${i.actualW} W instead of ${expected} W: a controller scheduled before the REST API` +
      " (emergency reserve, §14a limiter, fixed active power, balancing) or the battery's driver overrides the set-point",
  };
}

/**
 * Channels other clients write through the same REST controller (from its ApiWorkerLog). The
 * controller has one API timer, reset by every client's write: while another client writes,
 * the Edge would never drop this bridge's set-point should the bridge die.
 */
export function otherWrites(workerLog: string | null, channel: string): string[] {
  return (workerLog ?? "")
    .split("|")
    .map((e) => e.split(":")[0] ?? "")
    .filter((a) => a !== "" && a !== channel);
}
