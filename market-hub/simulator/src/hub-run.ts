import { HouseholdLoop, type HouseholdSpec, type LoopEvent } from "@openlem/agents";
import { DAY_MS, HOUR_MS, isoOf, localDateOf, slotMs } from "@openlem/protocol";
import { buildCalendar } from "./calendar.js";
import { CommunityProfiles, householdSpecOf } from "./community-profiles.js";
import { SafetyLog } from "./house-physics.js";
import { CommunityAssets } from "./hub-run/community-assets.js";
import { SimulatedHome } from "./hub-run/home.js";
import { joinCommunity, type Member } from "./hub-run/join.js";
import { collectHubRun, type HubRunResult } from "./hub-run/report.js";
import type { Household, LoadedScenario } from "./scenario.js";

export { SimulatedHome } from "./hub-run/home.js";
export type { HubRunResult } from "./hub-run/report.js";

export interface HubRunOptions {
  /** The hub's base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  /** An operator account: the run creates its own community on the hub. */
  operator: { email: string; password: string };
  /** How many market slots to run, from the hub's current slot on. */
  slots: number;
  /** With the scenario's communal battery (default: when the scenario has one). */
  communalBattery?: boolean;
  /** How often the hub's clock is asked (ms, default 100). */
  pollMs?: number;
  /**
   * What happens between two looks at the hub's clock (default: wait `pollMs`). A test that
   * drives the hub's clock itself moves it on here, so the run does not depend on how fast
   * the machine is.
   */
  between?: () => Promise<void>;
  onProgress?: (done: number, total: number) => void;
  onEvent?: (householdId: string, e: LoopEvent) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a scenario end to end against a running hub, in three phases: join (a community for the
 * run; a meter, an account and a device token for each household, plant and the communal
 * battery: hub-run/join.ts), run (a real `HouseholdLoop` per household through the client, the
 * plants and battery bidding each slot, while the hub clears at gate closure as it always
 * does), and report (hub-run/report.ts: bills from the hub's statements, KPIs from its KPI
 * endpoint). Run the hub with a fast clock (`openlem-hub serve --speed 900`: a 15-minute slot a
 * second) for runs longer than a few slots.
 */
export async function simulateOnHub(loaded: LoadedScenario, o: HubRunOptions): Promise<HubRunResult> {
  const { scenario, market: config, households } = loaded;
  const len = slotMs(config.slotMinutes);
  // joining takes a while (accounts, meters, tokens): the run starts at the slot after it
  const joined = await joinCommunity(loaded, {
    url: o.url,
    operator: o.operator,
    communalBattery: o.communalBattery ?? scenario.communalBattery !== undefined,
  });

  const clock0 = await joined.operator.clock();
  const startMs = Date.parse(clock0.currentSlot);
  const endMs = startMs + o.slots * len;
  const firstDate = localDateOf(isoOf(startMs), config.timeZone);
  const days = Math.ceil((endMs - startMs) / DAY_MS) + 2;
  const cal = buildCalendar(firstDate, days, config.timeZone, config.slotMinutes);
  const prof = new CommunityProfiles(loaded, cal);
  const t0 = prof.indexOf(startMs);
  if (t0 < 0) throw new Error(`the hub's slot ${isoOf(startMs)} is not on the ${config.slotMinutes}-minute grid`);

  const safety = new SafetyLog();
  const homes: { h: Household; home: SimulatedHome; loop: HouseholdLoop; p: Member }[] = [];
  for (const [i, h] of households.entries()) {
    const p = joined.households[i] as Member;
    const home = new SimulatedHome(h, p.meterId, prof, t0, startMs, safety);
    const spec = householdSpecOf(h, { maxBuyPrice: h.maxBuyPrice, minSellPrice: h.minSellPrice }) as HouseholdSpec;
    const loop = new HouseholdLoop({
      spec,
      hub: p.rest,
      devices: home,
      replanMs: 6 * HOUR_MS,
      bidUntilMs: endMs,
      onEvent: (e) => o.onEvent?.(h.id, e),
    });
    homes.push({ h, home, loop, p });
  }
  const assets = new CommunityAssets({ loaded, joined, prof, startMs, endMs, slots: o.slots, onEvent: o.onEvent });

  // one slot past the end, so that the last slot's readings reach the hub
  let lastSlot: number | null = null;
  for (;;) {
    const clock = await joined.operator.clock();
    const current = Date.parse(clock.currentSlot);
    const changed = current !== lastSlot;
    if (changed) {
      for (const x of homes) x.home.advanceTo(current);
      await assets.advance(current);
      lastSlot = current;
      o.onProgress?.(Math.min(o.slots, (current - startMs) / len), o.slots);
      if (current >= endMs) break;
    }
    // a loop has work when a slot began or the next open slot has no orders from it yet
    const next = Date.parse(clock.nextOpenSlot);
    const due = homes.filter((x) => changed || (next < endMs && !x.loop.memory?.submitted.includes(next)));
    await Promise.all([...due.map((x) => x.loop.tick()), assets.submitOrders(next)]);
    await (o.between ? o.between() : sleep(o.pollMs ?? 100));
  }
  // every household reports the end of the run (its loop only reports at slot starts it saw)
  await Promise.all(
    homes.map((x) =>
      x.p.rest.submitReadings([
        { meterId: x.p.meterId, at: isoOf(endMs), importWh: x.home.importWh, exportWh: x.home.exportWh },
      ]),
    ),
  );

  return collectHubRun({
    url: o.url,
    loaded,
    joined,
    homes,
    assets,
    prof,
    cal,
    startMs,
    endMs,
    slots: o.slots,
    safety,
  });
}
