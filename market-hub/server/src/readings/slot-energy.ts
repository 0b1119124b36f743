/** A stored cumulative reading (registers in Wh). */
export interface RegisterReading {
  atMs: number;
  importWh: number;
  exportWh: number;
}

export interface SlotEnergy {
  slotMs: number;
  importWh: number;
  exportWh: number;
  /** Not bounded by readings at both ends of the slot: interpolated across a gap. */
  estimated: boolean;
  /** A register went backwards inside this slot (meter swap or reset); that interval counts 0. */
  registerReset: boolean;
}

/**
 * Turns cumulative register readings into energy per slot in [fromMs, toMs). Between two
 * consecutive readings the register difference is spread over the slots the interval
 * covers, in proportion to time, in whole Wh (largest remainder), so a missing reading is
 * healed by the next one and no Wh is lost or invented. A slot is "estimated" unless
 * readings exist at both its start and its end. A register that goes backwards is
 * flagged and its interval counts as zero, never as negative energy.
 * Slots that no pair of readings covers are left out: they are not metered yet.
 */
export function slotEnergies(
  readings: readonly RegisterReading[],
  fromMs: number,
  toMs: number,
  slotMs: number,
): SlotEnergy[] {
  const sorted = [...readings].sort((a, b) => a.atMs - b.atMs);
  const bySlot = new Map<number, SlotEnergy>();
  const exact = new Set(sorted.map((r) => r.atMs));
  const slot = (s: number) => {
    let e = bySlot.get(s);
    if (!e) {
      e = {
        slotMs: s,
        importWh: 0,
        exportWh: 0,
        estimated: !(exact.has(s) && exact.has(s + slotMs)),
        registerReset: false,
      };
      bySlot.set(s, e);
    }
    return e;
  };
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as RegisterReading;
    const b = sorted[i] as RegisterReading;
    if (b.atMs <= fromMs || a.atMs >= toMs || b.atMs === a.atMs) continue;
    const dImport = b.importWh - a.importWh;
    const dExport = b.exportWh - a.exportWh;
    const reset = dImport < 0 || dExport < 0;
    // The slots this interval touches, with the milliseconds of overlap.
    const parts: { s: number; ms: number }[] = [];
    for (let s = Math.floor(a.atMs / slotMs) * slotMs; s < b.atMs; s += slotMs) {
      const ms = Math.min(b.atMs, s + slotMs) - Math.max(a.atMs, s);
      if (ms > 0) parts.push({ s, ms });
    }
    const span = b.atMs - a.atMs;
    const imp = spread(reset ? 0 : dImport, parts, span);
    const exp = spread(reset ? 0 : dExport, parts, span);
    parts.forEach((p, k) => {
      if (p.s < fromMs || p.s >= toMs) return;
      const e = slot(p.s);
      e.importWh += imp[k] ?? 0;
      e.exportWh += exp[k] ?? 0;
      if (reset) e.registerReset = true;
    });
  }
  // A slot only partly covered by readings is not metered yet.
  const covered = (s: number) => (sorted[0]?.atMs ?? Infinity) <= s && (sorted.at(-1)?.atMs ?? -Infinity) >= s + slotMs;
  return [...bySlot.values()].filter((e) => covered(e.slotMs)).sort((x, y) => x.slotMs - y.slotMs);
}

/** Splits whole Wh over parts in proportion to their milliseconds (largest remainder, earlier first on ties). */
function spread(total: number, parts: readonly { ms: number }[], span: number): number[] {
  const exact = parts.map((p) => (total * p.ms) / span);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0 && k < order.length; k++, left--) out[order[k]?.i ?? 0] = (out[order[k]?.i ?? 0] ?? 0) + 1;
  return out;
}
