import {
  allocateProRata,
  type BookOrder,
  type ClearingOutcome,
  clear,
  effectiveBuy,
  effectiveSell,
  ledgerTotal,
  type MarketParams,
  type MeteredSlot,
  settle,
  type TariffTicks,
} from "@openlem/engine";
import type { Source } from "@openlem/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbBook, arbShuffledBook, arbTariff, canonical, params } from "./books.js";

const at = Date.parse("2026-06-21T10:10:00Z");
const MECHANISMS: MarketParams["mechanism"][] = ["uniform", "pay-as-bid", "per-source", "continuous"];
const runs = { numRuns: 300 };

function run(mechanism: MarketParams["mechanism"], tariff: TariffTicks | null, orders: BookOrder[], final = true) {
  return clear({ market: params(mechanism, tariff), orders, atMs: at, final });
}

const arbTariffOrNone = fc.option(arbTariff, { nil: null, freq: 4 });

/** The limit a fill had to respect: the step price, or the buyer's own price for the fill's source market. */
function limitOf(o: BookOrder, step: number, market: string): number {
  const own = o.side === "buy" && market !== "all" ? o.sourceLimitTicks?.[market as Source] : undefined;
  return own ?? (o.steps[step]?.priceTicks as number);
}

describe.each(MECHANISMS)("%s: market invariants", (mechanism) => {
  it("balances energy: local buys equal local sells in every market, and nothing is lost", () => {
    fc.assert(
      fc.property(arbBook(), arbTariffOrNone, fc.boolean(), (orders, tariff, final) => {
        const r = run(mechanism, tariff, orders, final);
        const perMarket = new Map<string, number>();
        for (const f of r.fills) {
          if (f.counterparty !== "local") continue;
          perMarket.set(f.market, (perMarket.get(f.market) ?? 0) + (f.side === "buy" ? f.energyWh : -f.energyWh));
        }
        for (const [, net] of perMarket) expect(net).toBe(0);
        for (const m of r.markets) {
          const bought = r.fills.filter((f) => f.market === m.market && f.counterparty === "local" && f.side === "buy");
          expect(bought.reduce((s, f) => s + f.energyWh, 0)).toBe(m.localWh);
        }
        // every Wh offered is filled, left over, or cancelled against the same participant (both sides)
        const offered = orders.reduce((s, o) => s + o.steps.reduce((t, st) => t + st.energyWh, 0), 0);
        const accounted =
          r.fills.reduce((s, f) => s + f.energyWh, 0) +
          r.remainders.reduce((s, x) => s + x.remainingWh, 0) +
          2 * r.selfCrossCancelledWh;
        expect(accounted).toBe(offered);
        for (const f of r.fills) expect(f.energyWh).toBeGreaterThan(0);
      }),
      runs,
    );
  });

  it("balances the budget exactly: every payment has its counterpart", () => {
    fc.assert(
      fc.property(
        arbBook(),
        arbTariff,
        fc.array(fc.record({ p: fc.integer({ min: 0, max: 3 }), imp: fc.nat(5000), exp: fc.nat(5000) }), {
          maxLength: 6,
        }),
        (orders, tariff, meters) => {
          const r = run(mechanism, tariff, orders);
          const seen = new Set<string>();
          const metered: MeteredSlot[] = [];
          for (const m of meters) {
            if (seen.has(`p${m.p}`)) continue;
            seen.add(`p${m.p}`);
            metered.push({
              householdId: `p${m.p}`,
              slot: "s",
              commodity: "electricity",
              importWh: m.imp,
              exportWh: m.exp,
            });
          }
          const { lines } = settle({ fills: [{ slot: "s", fills: r.fills }], metered, tariff: () => tariff });
          expect(ledgerTotal(lines)).toBe(0);
          for (const l of lines) expect(Number.isSafeInteger(l.amount)).toBe(true);
        },
      ),
      runs,
    );
  });

  it("makes nobody pay above their limit or receive below it", () => {
    fc.assert(
      fc.property(arbBook(), arbTariffOrNone, (orders, tariff) => {
        const r = run(mechanism, tariff, orders);
        const byId = new Map(orders.map((o) => [o.id, o]));
        for (const f of r.fills) {
          const o = byId.get(f.orderId) as BookOrder;
          const limit = limitOf(o, f.step, f.market);
          if (f.side === "buy") expect(f.priceTicks + f.gridFeeTicks).toBeLessThanOrEqual(limit);
          else expect(f.priceTicks).toBeGreaterThanOrEqual(limit);
        }
      }),
      runs,
    );
  });

  it("keeps local prices between the feed-in tariff and the retail price", () => {
    fc.assert(
      fc.property(arbBook(), arbTariff, (orders, tariff) => {
        fc.pre(tariff.feedIn <= tariff.retail);
        const r = run(mechanism, tariff, orders);
        for (const f of r.fills) {
          if (f.counterparty !== "local") continue;
          expect(f.priceTicks).toBeGreaterThanOrEqual(tariff.feedIn);
          expect(f.priceTicks + f.gridFeeTicks).toBeLessThanOrEqual(tariff.retail);
        }
      }),
      runs,
    );
  });

  it("never lets a participant trade with itself", () => {
    fc.assert(
      fc.property(arbBook({ participants: 2 }), arbTariffOrNone, (orders, tariff) => {
        const r = run(mechanism, tariff, orders);
        const owner = new Map(orders.map((o) => [o.id, o.householdId]));
        for (const m of r.matches) expect(owner.get(m.buyOrderId)).not.toBe(owner.get(m.sellOrderId));
        if (mechanism === "uniform" || mechanism === "per-source") {
          // In a pool, a self-trade would show as the same participant buying and selling locally in one market.
          const sides = new Map<string, Set<string>>();
          for (const f of r.fills) {
            if (f.counterparty !== "local") continue;
            const k = `${f.market}|${f.householdId}`;
            const s = sides.get(k) ?? new Set<string>();
            s.add(f.side);
            sides.set(k, s);
          }
          for (const [, s] of sides) expect(s.size).toBe(1);
        }
      }),
      runs,
    );
  });

  it("gives the same result whatever order the book arrives in", () => {
    fc.assert(
      fc.property(arbShuffledBook(), arbTariffOrNone, ([orders, shuffled], tariff) => {
        const a = run(mechanism, tariff, orders);
        const b = run(mechanism, tariff, shuffled);
        expect(canonical(b.fills)).toEqual(canonical(a.fills));
        expect(b.markets).toEqual(a.markets);
        expect(b.matches).toEqual(a.matches);
      }),
      runs,
    );
  });
});

describe.each(["uniform", "per-source"] as const)("%s: the price clears the market (no envy)", (mechanism) => {
  /**
   * No order left wholly or partly unfilled has a limit better than its market's price: a buy
   * still wanting energy bids at most the price, a sell still offering asks at least it. So
   * rationing happens only at the price itself, and the price is the k-double auction's.
   */
  it("leaves nobody unfilled who would trade at the price, for every k", () => {
    fc.assert(
      fc.property(
        arbBook({ distinctParticipants: true }),
        arbTariffOrNone,
        fc.constantFrom(0, 0.25, 0.5, 1),
        (orders, tariff, k) => {
          const r = clear({
            market: { ...params(mechanism, tariff), uniformPriceK: k },
            orders,
            atMs: at,
            final: false,
          });
          const byId = new Map(orders.map((o) => [o.id, o]));
          const priced = r.markets.filter((m) => m.priceTicks !== null);
          for (const rest of r.remainders) {
            if (rest.remainingWh <= 0) continue;
            const o = byId.get(rest.orderId) as BookOrder;
            for (const m of priced) {
              const price = m.priceTicks as number;
              if (o.side === "buy") {
                // the buyer's limit in this market (its own for the source, else its step's)
                expect(effectiveBuy(limitOf(o, rest.step, m.market), tariff)).toBeLessThanOrEqual(price);
              } else if (m.market === "all" || m.market === (o.source ?? "other")) {
                expect(effectiveSell(o.steps[rest.step]?.priceTicks as number, tariff)).toBeGreaterThanOrEqual(price);
              }
            }
          }
        },
      ),
      runs,
    );
  });
});

describe("uniform price: optimality", () => {
  /** Brute force: the most energy any single price clears, over every price that matters. */
  function bruteForceVolume(orders: BookOrder[], tariff: TariffTicks | null): number {
    const rows = orders.flatMap((o) =>
      o.steps.map((s) => ({
        buy: o.side === "buy",
        price: o.side === "buy" ? effectiveBuy(s.priceTicks, tariff) : effectiveSell(s.priceTicks, tariff),
        energy: s.energyWh,
      })),
    );
    let best = 0;
    for (const { price } of rows) {
      const demand = rows.filter((r) => r.buy && r.price >= price).reduce((s, r) => s + r.energy, 0);
      const supply = rows.filter((r) => !r.buy && r.price <= price).reduce((s, r) => s + r.energy, 0);
      best = Math.max(best, Math.min(demand, supply));
    }
    return best;
  }

  it("trades exactly the brute-force maximum volume on small books", () => {
    fc.assert(
      fc.property(arbBook({ distinctParticipants: true, maxOrders: 8 }), arbTariffOrNone, (orders, tariff) => {
        const r: ClearingOutcome = run("uniform", tariff, orders, false);
        expect(r.localWh).toBe(bruteForceVolume(orders, tariff));
      }),
      { numRuns: 500 },
    );
  });

  it("prices between every filled seller's ask and every filled buyer's bid", () => {
    fc.assert(
      fc.property(arbBook({ distinctParticipants: true }), arbTariffOrNone, (orders, tariff) => {
        const r = run("uniform", tariff, orders, false);
        const price = r.markets[0]?.priceTicks;
        const byId = new Map(orders.map((o) => [o.id, o]));
        for (const f of r.fills) {
          const step = byId.get(f.orderId)?.steps[f.step]?.priceTicks as number;
          expect(f.priceTicks).toBe(price);
          if (f.side === "buy") expect(effectiveBuy(step, tariff)).toBeGreaterThanOrEqual(price as number);
          else expect(effectiveSell(step, tariff)).toBeLessThanOrEqual(price as number);
        }
      }),
      runs,
    );
  });

  it("uses the sorted-levels path and the indexed path interchangeably", () => {
    // Prices spread over a wide range force the sparse (sorted) path; scaling them down gives the dense one.
    fc.assert(
      fc.property(arbBook({ distinctParticipants: true }), fc.integer({ min: 1, max: 500 }), (orders, spread) => {
        const wide = orders.map((o) => ({
          ...o,
          steps: o.steps.map((s) => ({ ...s, priceTicks: s.priceTicks * spread * 100 })),
        }));
        const r = run("uniform", null, wide, false);
        expect(r.localWh).toBe(bruteForceVolume(wide, null));
      }),
      runs,
    );
  });
});

describe("pro-rata shares", () => {
  /** The rule written out in BigInt: floor shares, the Wh left over to the largest remainders, ties by key. */
  function reference(claims: number[], keys: number[], total: number): number[] {
    const sum = claims.reduce((s, c) => s + c, 0);
    if (total >= sum) return [...claims];
    const rows = claims.map((c, i) => {
      const exact = BigInt(c) * BigInt(total);
      return { i, share: exact / BigInt(sum), rem: exact % BigInt(sum) };
    });
    let left = total - rows.reduce((s, r) => s + Number(r.share), 0);
    const byRem = [...rows].sort((a, b) =>
      a.rem === b.rem ? (keys[a.i] as number) - (keys[b.i] as number) : a.rem > b.rem ? -1 : 1,
    );
    for (const r of byRem) if (left-- > 0) r.share += 1n;
    return rows.map((r) => Number(r.share));
  }

  it("shares exactly, in doubles for a community's Wh and in BigInt beyond 2^53", () => {
    const claims = fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 2 ** 50 }));
    fc.assert(
      fc.property(
        fc.array(claims, { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (cs, f) => {
          const sum = cs.reduce((s, c) => s + c, 0);
          fc.pre(sum > 0 && sum <= Number.MAX_SAFE_INTEGER);
          const total = Math.floor(sum * f);
          const keys = cs.map((_, i) => (i * 7919) % 101);
          const shares = allocateProRata(cs, keys, total);
          expect(shares).toEqual(reference(cs, keys, total));
          expect(shares.reduce((s, x) => s + x, 0)).toBe(Math.min(total, sum));
        },
      ),
      runs,
    );
  });
});
