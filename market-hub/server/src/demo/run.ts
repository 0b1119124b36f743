import {
  CommunityId,
  HOUR_MS,
  HouseholdId,
  lastClearableSlotMs,
  MarketConfig,
  nextOpenSlotMs,
  OrderInput,
  slotMs,
} from "@openlem/protocol";
import { createUser } from "../auth/users.js";
import type { HubConfig } from "../config.js";
import { Problem } from "../http/problem.js";
import { type RunningHub, startHub } from "../hub.js";
import { storeReadings } from "../readings/store.js";
import type { ClearedSlot } from "../services/clearing.js";
import { createCommunity, getCommunity } from "../services/communities.js";
import { issuePin, registerMeter } from "../services/meters.js";
import { submitOrders } from "../services/orders.js";
import { AcceleratedClock, schedulerTickMs } from "./clock.js";
import { DEMO_HOUSEHOLDS, DemoMeters, demoOrders } from "./households.js";

export const DEMO_COMMUNITY = CommunityId.parse("demo");
export const DEMO_OPERATOR = { email: "operator@openlem.local", password: "openlem-operator" };
export const DEMO_PARTICIPANT = { email: "household@openlem.local", password: "openlem-household" };
/** The newcomer's own household: none of the demo's simulated ones, so its figures are only the newcomer's. */
export const DEMO_NEWCOMER = { householdId: HouseholdId.parse("my-home"), meterId: "my-home-meter" };

const DEMO_MARKET = MarketConfig.parse({
  timeZone: "Europe/Amsterdam",
  retailPrice: 0.22,
  feedInTariff: 0.09,
  priceFloor: 0,
  priceCap: 0.5,
});

export interface DemoOptions {
  config: HubConfig;
  /** Hub time runs this many times faster than real time (1 = real time). */
  speed: number;
  logger?: boolean;
  /**
   * A clock the caller moves itself (tests): then nothing runs on timers, and `step()` clears
   * the gates that closed and lets the demo households bid and report.
   */
  now?: () => Date;
  /**
   * On a fresh community, the hours of trading the demo plays before it opens (default 24), so
   * every page, card and chart has data from the first minute.
   */
  historyHours?: number;
  /** Progress of that history, slot by slot; the hub already serves (and says it is not ready). */
  onHistory?: (done: number, total: number, hub: RunningHub) => void | Promise<void>;
}

export interface RunningDemo {
  hub: RunningHub;
  /**
   * The newcomer's meter (household my-home, which the demo does not simulate) and a PIN for it,
   * new at every start while nobody has linked it; null once it is linked.
   */
  linkMeter: { meterId: string; pin: string | null };
  /** One round of the demo's work at the clock's present time (what the timers do). */
  step(): Promise<void>;
  stop(): Promise<void>;
}

/** The hub with a demo community whose simulated households trade every slot. */
export async function runDemo(o: DemoOptions): Promise<RunningDemo> {
  // a fast clock resumes where the last run left the market, so it never runs back
  const fast = !o.now && o.speed > 1 ? new AcceleratedClock(o.speed) : null;
  const live = o.now ?? fast?.now ?? (() => new Date());
  // while the history plays, the hub's clock walks through it; then it is the live clock
  let past: number | null = null;
  const clock = () => (past === null ? live() : new Date(past));
  const batteries = new Map(DEMO_HOUSEHOLDS.filter((h) => h.battery).map((h) => [h.id, h]));
  /** Each cleared slot's traded net import per household, which the meters then report. */
  const traded = new Map<string, Map<string, number>>();
  const onCleared = (communityId: string, cleared: ClearedSlot) => {
    if (communityId !== DEMO_COMMUNITY) return;
    const net = new Map<string, number>();
    for (const [h, fills] of cleared.fillsByHousehold) {
      net.set(
        h,
        fills.reduce((s, f) => s + (f.side === "buy" ? f.energyWh : -f.energyWh), 0),
      );
    }
    traded.set(cleared.result.slot, net);
    for (const [id, h] of batteries) {
      const fills = cleared.fillsByHousehold.get(id) ?? [];
      const net = fills.reduce((s, f) => s + (f.side === "buy" ? f.energyWh : -f.energyWh), 0);
      if (h.battery) h.battery.socWh += net;
    }
  };
  const hub = await startHub({
    config: o.config,
    now: clock,
    operator: DEMO_OPERATOR,
    logger: o.logger,
    onCleared,
    resumeClock: (ms) => fast?.notBefore(ms),
    // the scheduler starts once the history has played (a test that drives the clock runs it itself)
    tickMs: 0,
    // ready once the demo community trades live, not while it is set up or plays the day before
    notReadyUntil: "the demo community is being set up",
  });
  const { db } = hub.ctx;
  const historyMs = (o.historyHours ?? 24) * HOUR_MS;
  const fresh = !(await communityExists(hub));
  const liveStart = live().getTime();
  if (fresh && historyMs > 0) past = Math.floor((liveStart - historyMs) / 900_000) * 900_000;
  const market = await ensureDemoCommunity(hub);
  await createUser(db, DEMO_PARTICIPANT.email, DEMO_PARTICIPANT.password, "observer").catch(ignoreConflict);
  for (const h of DEMO_HOUSEHOLDS) {
    await db
      .transaction((tx) =>
        registerMeter(tx, DEMO_COMMUNITY, {
          meterId: `${h.id}-main`,
          householdId: h.id,
          registers: "import-export",
          source: h.battery ? "battery" : h.pvKwp ? "pv" : null,
        }),
      )
      .catch(ignoreConflict);
  }
  const linkMeter = await db.transaction(async (tx) => {
    const { meterId, householdId } = DEMO_NEWCOMER;
    const fresh = await registerMeter(tx, DEMO_COMMUNITY, {
      meterId,
      householdId,
      registers: "import-export",
      source: null,
    }).catch(ignoreConflict);
    return { meterId, pin: fresh?.pin ?? (await issuePin(tx, DEMO_COMMUNITY, meterId))?.pin ?? null };
  });

  // Each household bids for the next two open slots, ahead of gate closure.
  const submitted = new Set<string>();
  const len = slotMs(market.slotMinutes);
  // the registers go on from what the meters last reported (a restart, even within the slot)
  const meters = new DemoMeters(
    DEMO_HOUSEHOLDS.map((h) => h.id),
    await lastRegisters(hub),
  );
  let nextReading = Math.floor(clock().getTime() / len) * len;
  await db.transaction((tx) =>
    storeReadings(tx, DEMO_COMMUNITY, meters.read(new Date(nextReading).toISOString()), {
      mayUse: () => true,
      nowMs: clock().getTime(),
    }),
  );
  let busy = false;
  const drive = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = clock();
      const firstOpen = nextOpenSlotMs(market, now.getTime());
      for (const t of [firstOpen, firstOpen + len]) {
        const slot = new Date(t).toISOString();
        if (submitted.has(slot)) continue;
        for (const h of DEMO_HOUSEHOLDS) {
          const orders = demoOrders(h, slot, market.slotMinutes, market.timeZone, market.priceCap).map((x) =>
            OrderInput.parse(x),
          );
          if (orders.length === 0) continue;
          await db.transaction((tx) =>
            submitOrders(
              { db: tx, communityId: DEMO_COMMUNITY, householdId: h.id, market, now: clock() },
              orders,
              (i) => ["orders", i],
            ),
          );
        }
        submitted.add(slot);
      }
      // After delivery, the meters report: what was traded, give or take what the household really used.
      for (; nextReading + len <= now.getTime(); nextReading += len) {
        const slot = new Date(nextReading).toISOString();
        const net = traded.get(slot);
        // not clearable yet: its trades come with its clearing (one this process did not see,
        // before a restart, is reported without them)
        if (!net && nextReading > lastClearableSlotMs(market, now.getTime())) break;
        meters.deliver(slot, net ?? new Map());
        const at = new Date(nextReading + len).toISOString();
        await db.transaction((tx) =>
          storeReadings(tx, DEMO_COMMUNITY, meters.read(at), { mayUse: () => true, nowMs: clock().getTime() }),
        );
        traded.delete(slot);
      }
    } catch (err) {
      hub.app.log.warn({ err }, "demo households could not bid this time");
    } finally {
      busy = false;
    }
  };
  if (past !== null) {
    // the day before: the households bid, the hub clears at each gate, the meters report
    const step = 5 * 60_000;
    const total = Math.ceil((liveStart - past) / step);
    for (let k = 0; past < liveStart; k++, past += step) {
      hub.setNotReady(`the demo is playing the day before it opens: step ${k + 1} of ${total}`);
      await drive();
      await hub.scheduler.tick();
      await o.onHistory?.(k + 1, total, hub);
    }
    past = null;
  }
  await drive();
  hub.setNotReady(null);
  if (!o.now) hub.scheduler.start(schedulerTickMs(o.speed));
  const timer = o.now ? undefined : setInterval(() => void drive(), Math.max(50, Math.min(1000, 60_000 / o.speed)));
  return {
    hub,
    linkMeter,
    step: async () => {
      await hub.scheduler.tick();
      await drive();
    },
    stop: async () => {
      clearInterval(timer);
      await hub.close();
    },
  };
}

/** Each demo meter's registers as last reported, by household. */
async function lastRegisters(hub: RunningHub): Promise<Map<string, { importWh: number; exportWh: number }>> {
  const rows = await hub.ctx.db.query<{ meter_id: string; import_wh: string | number; export_wh: string | number }>(
    `SELECT DISTINCT ON (meter_id) meter_id, import_wh, export_wh FROM market.readings
      WHERE meter_id = ANY($1) ORDER BY meter_id, at DESC`,
    [DEMO_HOUSEHOLDS.map((h) => `${h.id}-main`)],
  );
  return new Map(
    rows.map((r) => [
      r.meter_id.replace(/-main$/, ""),
      { importWh: Number(r.import_wh), exportWh: Number(r.export_wh) },
    ]),
  );
}

async function communityExists(hub: RunningHub): Promise<boolean> {
  try {
    await getCommunity(hub.ctx.db, DEMO_COMMUNITY);
    return true;
  } catch {
    return false;
  }
}

async function ensureDemoCommunity(hub: RunningHub): Promise<MarketConfig> {
  const { db, now } = hub.ctx;
  try {
    return (await getCommunity(db, DEMO_COMMUNITY)).market;
  } catch {
    const c = await createCommunity(
      db,
      { id: DEMO_COMMUNITY, name: "OpenLEM demo neighbourhood", market: DEMO_MARKET },
      now(),
    );
    return c.market;
  }
}

function ignoreConflict(err: unknown): void {
  if (err instanceof Problem && err.status === 409) return;
  throw err;
}
