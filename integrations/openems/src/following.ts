/** Whether the battery does what the bridge asked, from its power and the API worker's log. */
export type Following = { ok: true } | { ok: false; why: string };

/** Within this much of the set-point (W, or this share of it) the battery follows. */
const TOLERANCE_W = 100;
const TOLERANCE_SHARE = 0.05;

/**
 * Judges a read-back: the battery's own power against the set-point, where the set-point is
 * first clamped as the Edge clamps it: to the battery's configured powers and to its live
 * `AllowedChargePower` / `AllowedDischargePower` (a BMS derates them when cold, full or
 * empty; on a hybrid they hold on the AC side, where the DC-PV is added). It also reads the
 * REST controller's `ApiWorkerLog` (`address:value|…`, `-ERROR:<message>` on a failed write;
 * OpenEMS's ApiWorker). A 200 for the write says only that the API worker took it:
 * controllers scheduled before the REST controller (emergency reserve, §14a limiter, fixed
 * power, balancing) constrain the battery silently, and some drivers ignore set-points.
 */
export function judgeFollowing(i: {
  setpointW: number;
  /** The battery's own power (W, + discharge): ActivePower, or a hybrid's DcDischargePower. */
  actualW: number | null;
  maxChargeW: number;
  maxDischargeW: number;
  /** The Edge's live limits (W, charge ≤ 0, discharge ≥ 0); null where it has none. */
  allowedChargeW?: number | null;
  allowedDischargeW?: number | null;
  /** A hybrid's DC-PV now (W): the AC set-point is the battery's power plus it. */
  dcPvW?: number;
  workerLog: string | null;
  channel: string;
}): Following {
  const pv = i.dcPvW ?? 0;
  const own = Math.max(-i.maxChargeW, Math.min(i.maxDischargeW, i.setpointW));
  const lo = i.allowedChargeW ?? Number.NEGATIVE_INFINITY;
  const hi = i.allowedDischargeW ?? Number.POSITIVE_INFINITY;
  const expected = Math.max(lo, Math.min(hi, own + pv)) - pv;
  const derated =
    expected !== own
      ? ` (the battery's management allows ${i.allowedChargeW ?? "?"} to ${i.allowedDischargeW ?? "?"} W now)`
      : "";
  const entry = (i.workerLog ?? "").split("|").find((e) => e.startsWith(`${i.channel}:`));
  const error = entry ? /-ERROR:(.*)$/.exec(entry)?.[1] : undefined;
  if (error) return { ok: false, why: `the Edge could not write ${i.channel}: ${error.trim()}` };
  if (i.actualW === null) return { ok: false, why: "the Edge reports no battery power to check the set-point against" };
  if (Math.abs(i.actualW - expected) <= Math.max(TOLERANCE_W, TOLERANCE_SHARE * Math.abs(expected)))
    return { ok: true };
  if (!entry)
    return {
      ok: false,
      why: `the battery runs at ${i.actualW} W instead of ${expected} W${derated} and the Edge's API worker holds no set-point for ${i.channel} (its API timeout passed, or another client released it)`,
    };
  return {
    ok: false,
    why:
      `the battery runs at ${i.actualW} W instead of ${expected} W${derated}: a controller scheduled before the REST API` +
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
