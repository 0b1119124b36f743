import { DAY_MS, fieldPath, type MeterReading, readingTimeProblem, slotMs } from "@openlem/protocol";
import type { Queryable } from "../db/database.js";
import { Problem, type Refusal, refusal } from "../http/problem.js";
import { type RegisterReading, slotEnergies } from "./slot-energy.js";

export interface StoredReadings {
  accepted: number;
  /** Readings the hub had already: the same reading twice counts once. */
  duplicates: number;
}

/**
 * Stores a batch of readings, all or nothing. Every meter must belong to the community and to a
 * household the caller acts for (`mayUse`). A reading at a timestamp already stored with other
 * register values is refused, naming it: nothing accepted is ever changed. So is a reading
 * implausibly far from the hub's clock (`nowMs`).
 */
export async function storeReadings(
  db: Queryable,
  communityId: string,
  readings: readonly MeterReading[],
  o: {
    mayUse: (householdId: string) => boolean;
    nowMs: number;
    prefix?: (i: number) => (string | number)[];
  },
): Promise<StoredReadings> {
  const { mayUse, nowMs } = o;
  const prefix = o.prefix ?? ((i: number) => ["readings", i]);
  const ids = [...new Set(readings.map((r) => r.meterId))];
  const meters = new Map(
    (
      await db.query<{ id: string; household_id: string }>(
        "SELECT id, household_id FROM market.meters WHERE community_id = $1 AND id = ANY($2)",
        [communityId, ids],
      )
    ).map((m) => [m.id, m.household_id]),
  );
  const existing = new Map(
    (
      await db.query<{ meter_id: string; at: Date; import_wh: number; export_wh: number }>(
        "SELECT meter_id, at, import_wh, export_wh FROM market.readings WHERE meter_id = ANY($1) AND at = ANY($2)",
        [ids, readings.map((r) => r.at)],
      )
    ).map((r) => [`${r.meter_id}|${r.at.toISOString()}`, { importWh: r.import_wh, exportWh: r.export_wh }]),
  );
  const problems: Refusal[] = [];
  const field = (i: number, name: string) => fieldPath([...prefix(i), name]);
  const fresh: MeterReading[] = [];
  let duplicates = 0;
  const seen = new Map<string, { importWh: number; exportWh: number }>();
  readings.forEach((r, i) => {
    const household = meters.get(r.meterId);
    if (household === undefined) {
      problems.push(refusal("meter-in-community", field(i, "meterId"), `is not a meter of community ${communityId}`));
      return;
    }
    if (!mayUse(household)) {
      problems.push(refusal("meter-yours", field(i, "meterId"), "belongs to a household you may not report for"));
      return;
    }
    const late = readingTimeProblem(Date.parse(r.at), nowMs);
    if (late) {
      problems.push(refusal("reading-time-plausible", field(i, "at"), late));
      return;
    }
    const key = `${r.meterId}|${r.at}`;
    const before = existing.get(key) ?? seen.get(key);
    if (before) {
      if (before.importWh !== r.importWh || before.exportWh !== r.exportWh) {
        problems.push(
          refusal(
            "reading-unchanged",
            field(i, "at"),
            `already has a reading with other register values for meter ${r.meterId}`,
          ),
        );
      } else duplicates++;
      return;
    }
    seen.set(key, r);
    fresh.push(r);
  });
  if (problems.length > 0) throw Problem.unprocessable("these readings were refused; nothing was stored", problems);
  if (fresh.length > 0) {
    await db.query(
      `INSERT INTO market.readings (meter_id, at, import_wh, export_wh, signature, derived)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::jsonb[], $6::boolean[])
       ON CONFLICT DO NOTHING`,
      [
        fresh.map((r) => r.meterId),
        fresh.map((r) => r.at),
        fresh.map((r) => r.importWh),
        fresh.map((r) => r.exportWh),
        fresh.map((r) => (r.signature ? JSON.stringify(r.signature) : null)),
        fresh.map((r) => r.derived ?? false),
      ],
    );
  }
  return { accepted: fresh.length, duplicates };
}

export interface HouseholdSlot {
  householdId: string;
  slot: string;
  importWh: number;
  exportWh: number;
  estimated: boolean;
  registerReset: boolean;
  /** The household's meters include a battery (storage in the KPIs). */
  storage: boolean;
}

/** Metered energy per household and slot in [from, to), summed over each household's meters. */
export async function meteredSlots(
  db: Queryable,
  communityId: string,
  from: string,
  to: string,
  slotMinutes: number,
  householdId?: string,
): Promise<HouseholdSlot[]> {
  const len = slotMs(slotMinutes);
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  // Readings up to two days around the window heal gaps that cross its edges.
  const margin = 2 * DAY_MS;
  const rows = await db.query<{
    meter_id: string;
    household_id: string;
    source: string | null;
    at: Date;
    import_wh: number;
    export_wh: number;
  }>(
    `SELECT r.meter_id, m.household_id, m.source, r.at, r.import_wh, r.export_wh
       FROM market.readings r JOIN market.meters m ON m.id = r.meter_id
      WHERE m.community_id = $1 AND ($2::text IS NULL OR m.household_id = $2) AND r.at >= $3 AND r.at <= $4
      ORDER BY r.meter_id, r.at`,
    [communityId, householdId ?? null, new Date(fromMs - margin), new Date(toMs + margin)],
  );
  const byMeter = new Map<string, { household: string; storage: boolean; readings: RegisterReading[] }>();
  for (const r of rows) {
    const m = byMeter.get(r.meter_id) ?? { household: r.household_id, storage: r.source === "battery", readings: [] };
    m.readings.push({ atMs: r.at.getTime(), importWh: r.import_wh, exportWh: r.export_wh });
    byMeter.set(r.meter_id, m);
  }
  const out = new Map<string, HouseholdSlot>();
  for (const m of byMeter.values()) {
    for (const e of slotEnergies(m.readings, fromMs, toMs, len)) {
      const slot = new Date(e.slotMs).toISOString();
      const key = `${m.household}|${slot}`;
      const h = out.get(key) ?? {
        householdId: m.household,
        slot,
        importWh: 0,
        exportWh: 0,
        estimated: false,
        registerReset: false,
        storage: false,
      };
      h.importWh += e.importWh;
      h.exportWh += e.exportWh;
      h.estimated ||= e.estimated;
      h.registerReset ||= e.registerReset;
      h.storage ||= m.storage;
      out.set(key, h);
    }
  }
  return [...out.values()].sort((a, b) =>
    a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : a.householdId < b.householdId ? -1 : 1,
  );
}
