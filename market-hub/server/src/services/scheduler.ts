import type { Commodity, CommunityId } from "@openlem/protocol";
import { HOUR_MS, lastClearableSlotMs, slotMs } from "@openlem/protocol";
import type { Database } from "../db/database.js";
import { type ClearedSlot, clearSlot } from "./clearing.js";
import { listCommunities } from "./communities.js";
import { recordMarketTime } from "./market-time.js";

/** How far back a (re)started hub catches up on slots it missed. */
const CATCH_UP_MS = 6 * HOUR_MS;

export interface SchedulerOptions {
  db: Database;
  now: () => Date;
  onCleared: (communityId: CommunityId, cleared: ClearedSlot) => void;
  onError?: (err: unknown) => void;
  /** After each pass, with the clock it used (the hub's MQTT side follows the slot under way). */
  onTick?: (now: Date) => Promise<void>;
}

/**
 * Clears every slot at its gate closure. Each tick looks, per community and commodity, for
 * slots whose gate has closed and that have no result yet, and clears them oldest first.
 * Several hub processes may run it at once: clearSlot makes each slot clear exactly once.
 */
export class ClearingScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: SchedulerOptions) {}

  /** One pass; returns the slots this process cleared. */
  async tick(): Promise<{ communityId: string; slot: string; commodity: Commodity }[]> {
    const now = this.o.now();
    const out: { communityId: string; slot: string; commodity: Commodity }[] = [];
    for (const c of await listCommunities(this.o.db)) {
      const len = slotMs(c.market.slotMinutes);
      const latest = lastClearableSlotMs(c.market, now.getTime());
      const [info] = await this.o.db.query<{ created: Date }>(
        "SELECT created_at AS created FROM market.communities WHERE id = $1",
        [c.id],
      );
      const earliest =
        Math.ceil(Math.max(now.getTime() - CATCH_UP_MS, info?.created.getTime() ?? now.getTime()) / len) * len;
      const commodities: Commodity[] = c.market.heat ? ["electricity", "heat"] : ["electricity"];
      for (const commodity of commodities) {
        const [row] = await this.o.db.query<{ last: Date | null }>(
          "SELECT max(slot) AS last FROM market.clearings WHERE community_id = $1 AND commodity = $2",
          [c.id, commodity],
        );
        for (let t = Math.max(row?.last ? row.last.getTime() + len : earliest, earliest); t <= latest; t += len) {
          const slot = new Date(t).toISOString();
          const cleared = await this.o.db.transaction((tx) =>
            clearSlot(tx, { communityId: c.id, slot, commodity, now: this.o.now(), triggeredBy: "scheduler" }),
          );
          if (cleared.created) {
            this.o.onCleared(c.id, cleared);
            out.push({ communityId: c.id, slot, commodity });
          }
        }
      }
    }
    await recordMarketTime(this.o.db, now);
    await this.o.onTick?.(now);
    return out;
  }

  /** Ticks every `intervalMs` until stopped. */
  start(intervalMs = 1000): void {
    const loop = () => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((err) => this.o.onError?.(err))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops ticking; an in-flight clearing finishes first. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
