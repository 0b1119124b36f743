import { HubError } from "@openlem/client";
import { gateClosesAtMs, slotMs, slotStartMs } from "@openlem/protocol";
import type { HouseholdAgent, SlotFills } from "./agent.js";
import type { HubLink } from "./hub-link.js";

/** A slot's fills beside its bid (Wh): what the front ends show. */
export type FillReport = SlotFills & { buyWh: number; sellWh: number };

/** What the market gave less than was bid, in words ("bought 0 of 870 Wh"); nothing when all filled. */
export function fillShortfall(f: FillReport | null, startMs: number | undefined): string[] {
  if (!f || f.startMs !== startMs) return [];
  const out: string[] = [];
  if (f.boughtWh < f.buyWh) out.push(`bought ${f.boughtWh} of ${f.buyWh} Wh`);
  if (f.soldWh < f.sellWh) out.push(`sold ${f.soldWh} of ${f.sellWh} Wh`);
  return out;
}

export type FillEvent =
  /** What the market gave for a slot the agent bid for, beside what it bid (Wh). */
  { type: "filled"; fills: SlotFills; bid: { buyWh: number; sellWh: number } } | { type: "error"; error: unknown };

/**
 * Reads the fills of the slots the agent bid for, once their gate closed and the hub cleared
 * them (its results list the slot), and gives them to the agent: the devices then act on what
 * was bought and sold. Fills of several loops of one household are told apart by order id.
 */
export class FillWatch {
  constructor(private readonly o: { link: HubLink; emit: (e: FillEvent) => void }) {}

  /** The slots whose fills became known now. */
  async read(now: number, agent: HouseholdAgent): Promise<SlotFills[]> {
    const { link, emit } = this.o;
    const hub = link.hub;
    const market = link.community?.market;
    if (!hub || !market || link.unreachable || link.refusedRecently) return [];
    const len = slotMs(agent.memory.minutes);
    const current = slotStartMs(now, agent.memory.minutes);
    const due = agent.awaitingFills().filter((b) => b.startMs >= current && now >= gateClosesAtMs(b.startMs, market));
    if (due.length === 0) return [];
    const from = new Date(Math.min(...due.map((b) => b.startMs))).toISOString();
    const to = new Date(Math.max(...due.map((b) => b.startMs)) + len).toISOString();
    try {
      const [results, fills] = await Promise.all([hub.results({ from, to }), hub.fills({ from, to })]);
      const cleared = new Set(results.map((r) => Date.parse(r.slot)));
      const known: SlotFills[] = [];
      for (const b of due) {
        if (!cleared.has(b.startMs)) continue;
        const ids = new Set(b.orderIds);
        const mine = fills.filter((f) => ids.has(f.orderId) && Date.parse(f.slot) === b.startMs);
        const wh = (side: string) => mine.filter((f) => f.side === side).reduce((a, f) => a + f.energyWh, 0);
        const got = { startMs: b.startMs, boughtWh: wh("buy"), soldWh: wh("sell") };
        agent.recordFills(got);
        known.push(got);
        emit({ type: "filled", fills: got, bid: { buyWh: b.buyWh, sellWh: b.sellWh } });
      }
      return known;
    } catch (err) {
      link.failed(err);
      // refusals and outages show as the control state, not once per tick
      if (!(err instanceof HubError && err.unusable)) emit({ type: "error", error: err });
      return [];
    }
  }
}
