import {
  buildStatement,
  clear,
  computeKpis,
  type FlowSlot,
  GRID_ACCOUNT,
  KpiAccumulator,
  ledgerTotal,
  settle,
  UTILITY_ACCOUNT,
  utilityOnlyBill,
} from "@openlem/engine";
import { periodOf } from "@openlem/protocol";
import { describe, expect, it } from "vitest";
import { buy, params, sell, TARIFF } from "./books.js";

const at = Date.parse("2026-06-21T10:10:00Z");
const slot = "2026-06-21T10:15:00.000Z";
const tariff = () => TARIFF;

describe("settlement", () => {
  // h1 buys 1 kWh locally from h2's PV and takes 0.5 kWh more from the utility. h1 is rationed
  // locally, so the local price is its bid, 22 ct: the market clears at what the short side pays.
  const outcome = clear({
    market: params("uniform"),
    orders: [buy("b", "h1", 1500, 22_000), sell("s", "h2", 1000, 8_000)],
    atMs: at,
  });

  it("books local and utility trades with their counterparts", () => {
    const { lines } = settle({ fills: [{ slot, fills: outcome.fills }], metered: [], tariff });
    const of = (account: string) =>
      lines.filter((l) => l.account === account).map((l) => [l.kind, l.energyWh, l.amount]);
    // 22,000 ticks x 1,000 Wh
    expect(of("h1")).toEqual([
      ["local-buy", 1000, 22_000_000],
      ["utility-buy", 500, 11_000_000],
    ]);
    expect(of("h2")).toEqual([["local-sell", 1000, -22_000_000]]);
    expect(of(UTILITY_ACCOUNT)).toEqual([["utility-buy", 500, -11_000_000]]);
    expect(ledgerTotal(lines)).toBe(0);
  });

  it("buys shortfalls at retail and credits surpluses at feed-in", () => {
    const { lines, unmetered } = settle({
      fills: [{ slot, fills: outcome.fills }],
      metered: [
        { householdId: "h1", slot, commodity: "electricity", importWh: 1700, exportWh: 0 }, // 200 Wh more than bought
        { householdId: "h2", slot, commodity: "electricity", importWh: 0, exportWh: 1300 }, // 300 Wh more than sold
        { householdId: "h3", slot, commodity: "electricity", importWh: 50, exportWh: 0 }, // no orders at all
      ],
      tariff,
    });
    const dev = lines.filter((l) => l.kind.startsWith("deviation") && !l.account.startsWith("@"));
    expect(dev.map((l) => [l.account, l.kind, l.energyWh, l.amount])).toEqual([
      ["h1", "deviation-buy", 200, 200 * 22_000],
      ["h2", "deviation-sell", 300, -300 * 9_000],
      ["h3", "deviation-buy", 50, 50 * 22_000],
    ]);
    expect(unmetered).toEqual([]);
    expect(ledgerTotal(lines)).toBe(0);
  });

  it("reports traded participant-slots that have no meter data yet", () => {
    const { unmetered } = settle({ fills: [{ slot, fills: outcome.fills }], metered: [], tariff });
    expect(unmetered.map((u) => u.householdId).sort()).toEqual(["h1", "h2"]);
  });

  it("pays the grid fee to the grid operator", () => {
    const r = clear({
      market: params("uniform", { ...TARIFF, fee: 1_000 }),
      orders: [buy("b", "h1", 1000, 22_000), sell("s", "h2", 1000, 9_000)],
      atMs: at,
    });
    const { lines } = settle({ fills: [{ slot, fills: r.fills }], metered: [], tariff });
    expect(lines.filter((l) => l.account === GRID_ACCOUNT).map((l) => l.amount)).toEqual([-1_000_000]);
    expect(ledgerTotal(lines)).toBe(0);
  });
});

describe("statements", () => {
  it("sums lines per kind, rounds to cents so that lines add up, and shows the savings", () => {
    const metered = [{ householdId: "h1", slot, commodity: "electricity" as const, importWh: 1500, exportWh: 0 }];
    // PV is long: the rationed seller's ask (8 ct, held at the feed-in tariff, 9 ct) is the price
    const r = clear({
      market: params("uniform"),
      orders: [buy("b", "h1", 1500, 22_000), sell("s", "h2", 2000, 8_000)],
      atMs: at,
    });
    const { lines } = settle({ fills: [{ slot, fills: r.fills }], metered, tariff });
    const st = buildStatement({
      communityId: "gm",
      householdId: "h1",
      currency: "EUR",
      period: periodOf("day", "2026-06-21", "Europe/Amsterdam"),
      lines,
      utilityOnly: utilityOnlyBill(metered, tariff),
    });
    expect(st.lines.map((l) => [l.kind, l.energyWh, l.amount, l.averagePrice])).toEqual([
      ["local-buy", 1500, "0.13500000", 0.09],
    ]);
    expect(st.total).toBe("0.13500000");
    expect(st.totalMinor).toBe(14); // 13.5 cents, half to even
    expect(st.linesMinor.reduce((s, x) => s + x, 0)).toBe(st.totalMinor);
    expect(st.utilityOnlyTotal).toBe("0.33000000");
    expect(st.savings).toBe("0.19500000");
    expect(st.period.from).toBe("2026-06-20T22:00:00.000Z");
  });
});

describe("KPIs", () => {
  // Two slots, three households and a communal battery, in Wh.
  const s1 = "2026-06-21T12:00:00.000Z";
  const s2 = "2026-06-21T19:00:00.000Z";
  const flows: FlowSlot[] = [
    // noon: h1 produces 3,000 and uses 1,000; h2 uses 800; the battery charges 1,000
    {
      householdId: "h1",
      slot: s1,
      commodity: "electricity",
      importWh: 0,
      exportWh: 2000,
      consumptionWh: 1000,
      productionWh: 3000,
    },
    { householdId: "h2", slot: s1, commodity: "electricity", importWh: 800, exportWh: 0 },
    { householdId: "bat", slot: s1, commodity: "electricity", importWh: 1000, exportWh: 0, storage: true },
    // evening: h1 uses 1,200, h2 uses 1,000; the battery gives 900
    { householdId: "h1", slot: s2, commodity: "electricity", importWh: 1200, exportWh: 0 },
    { householdId: "h2", slot: s2, commodity: "electricity", importWh: 1000, exportWh: 0 },
    { householdId: "bat", slot: s2, commodity: "electricity", importWh: 0, exportWh: 900, storage: true },
  ];

  it("computes self-sufficiency, self-consumption, peak import and savings as the field defines them", () => {
    const k = computeKpis({ flows, ledger: [], slotMinutes: 15, tariff });
    expect(k.demandWh).toBe(4000);
    expect(k.generationWh).toBe(3000);
    // met locally: noon min(1800, 3000) = 1800, evening min(2200, 900) = 900
    expect(k.selfSufficiency).toBeCloseTo(2700 / 4000, 12);
    // used locally: noon min(3000, 1800 + 1000) = 2800
    expect(k.selfConsumption).toBeCloseTo(2800 / 3000, 12);
    // net imports: noon 800 + 1000 - 2000 = -200, evening 2200 - 900 = 1300 Wh in 15 min = 5,200 W
    expect(k.gridImportWh).toBe(1300);
    expect(k.gridExportWh).toBe(200);
    expect(k.peakImportW).toBe(5200);
    expect(k.peakImportSlot).toBe(s2);
    expect(k.localTradeShare).toBeNull();
  });

  it("counts only what the meters saw when asked for net metered KPIs", () => {
    const acc = new KpiAccumulator(15, tariff, { netMetered: true });
    for (const slot of [s1, s2])
      acc.addSlot(
        slot,
        flows.filter((f) => f.slot === slot),
      );
    const k = acc.result();
    // h1's own 1,000 Wh of PV at noon is not counted: demand is the meters' 800 + 1,200 + 1,000
    expect(k.demandWh).toBe(3000);
    expect(k.generationWh).toBe(2000);
    // met locally: noon min(800, 2000) = 800, evening min(2200, 900) = 900
    expect(k.selfSufficiency).toBeCloseTo(1700 / 3000, 12);
    // the same as leaving consumption and production out of the flows
    const metersOnly = flows.map(({ consumptionWh: _c, productionWh: _p, ...m }) => m);
    expect(k).toEqual(computeKpis({ flows: metersOnly, ledger: [], slotMinutes: 15, tariff }));
  });

  it("computes the local trade share and savings from the ledger", () => {
    const r = clear({
      market: params("uniform"),
      orders: [buy("b", "h2", 800, 22_000), sell("s", "h1", 2000, 9_000)],
      atMs: at,
    });
    const metered = flows.filter((f) => f.slot === s1);
    const { lines } = settle({ fills: [{ slot: s1, fills: r.fills }], metered, tariff });
    const k = computeKpis({ flows: metered, ledger: lines, slotMinutes: 15, tariff });
    // h2 bought 800 locally; the battery's 1,000 Wh charge shows up as a deviation purchase
    expect(k.localTradedWh).toBe(800);
    expect(k.boughtWh).toBe(1800);
    expect(k.localTradeShare).toBeCloseTo(800 / 1800, 12);
    const paid = lines.filter((l) => !l.account.startsWith("@")).reduce((s, l) => s + l.amount, 0);
    expect(k.savings).toBe(((utilityOnlyBill(metered, tariff) - paid) / 1e8).toFixed(8));
  });
});
