import { describe, expect, it } from "vitest";
import { loadScenario, parseScenarioYaml, ScenarioError, simulate, toJson } from "../src/index.js";
import { smallCommunity } from "./fixtures.js";

describe("scenarios", () => {
  it("names the field and the rule of a bad scenario", () => {
    expect(() => parseScenarioYaml("name: x\nseed: [1")).toThrow(/not valid YAML/);
    const bad = () =>
      loadScenario({
        name: "x",
        timeZone: "Europe/Amsterdam",
        location: { latitude: 52, longitude: 4 },
        period: { from: "2025-06-10", days: 1 },
        households: [{ id: "h", annualKwh: [4000, 3000] }],
      });
    expect(bad).toThrow(ScenarioError);
    expect(bad).toThrow(/households\[0\]\.annualKwh/);
    expect(() => smallCommunity({ market: { retailPrice: 0.221234 } })).toThrow(
      /scenario market: retailPrice: must have at most 5 decimal places/,
    );
    expect(() =>
      smallCommunity({
        households: [
          { id: "a", annualKwh: 1 },
          { id: "a", annualKwh: 1 },
        ],
      }),
    ).toThrow(/"a" is used twice/);
  });

  it("draws each household's figures from the ranges, the same for the same seed", () => {
    const a = smallCommunity();
    const b = smallCommunity();
    const c = smallCommunity({ seed: 12 });
    expect(a.households.map((h) => h.annualKwh)).toEqual(b.households.map((h) => h.annualKwh));
    expect(a.households.map((h) => h.annualKwh)).not.toEqual(c.households.map((h) => h.annualKwh));
    for (const h of a.households.filter((x) => x.id.startsWith("house"))) {
      expect(h.annualKwh).toBeGreaterThanOrEqual(2800);
      expect(h.annualKwh).toBeLessThanOrEqual(4200);
    }
  });
});

describe("a simulated fortnight", () => {
  const loaded = smallCommunity();
  const conventional = simulate(loaded, "conventional");
  const local = simulate(loaded, "local");
  const battery = simulate(loaded, "local+battery");

  it("is reproducible from its seed", () => {
    expect(toJson([simulate(loaded, "local+battery")])).toEqual(toJson([battery]));
    expect(toJson([simulate(smallCommunity({ seed: 12 }), "local+battery")])).not.toEqual(toJson([battery]));
  });

  it("balances energy: the households' meters add up to the community's grid exchange", () => {
    for (const r of [conventional, local, battery]) {
      const meters = r.households.reduce((s, h) => s + h.importWh - h.exportWh, 0);
      const others = r.others.reduce((s, o) => s + o.importWh - o.exportWh, 0);
      const grid = r.series.importWh.reduce((s, x) => s + x, 0) - r.series.exportWh.reduce((s, x) => s + x, 0);
      expect(meters + others).toBe(grid);
    }
  });

  it("bills everybody with the utility alone in the conventional variant", () => {
    for (const h of conventional.households) expect(h.bill).toBe(h.utilityOnly);
    expect(conventional.kpis.localTradeShare).toBe(0);
  });

  it("shows the study's directions: cheaper bills, a communal battery raising self-sufficiency, low prices in the sun", () => {
    const bill = (r: typeof local, id: string) => r.households.find((h) => h.id === id)?.bill ?? Number.NaN;
    for (const id of ["high-consumption", "high-production"]) {
      expect(bill(local, id)).toBeLessThan(bill(conventional, id));
      expect(bill(battery, id)).toBeLessThan(bill(local, id));
    }
    expect(battery.kpis.selfSufficiency ?? 0).toBeGreaterThan((local.kpis.selfSufficiency ?? 0) + 0.03);
    // midday in June: the local price sits near the feed-in tariff without the battery, higher with it
    const noon = local.priceByHour[13] ?? 1;
    expect(noon).toBeLessThan(0.13);
    expect(battery.priceByHour[13] ?? 0).toBeGreaterThan(noon);
    // nobody trades outside the utility's prices
    for (const r of [local, battery])
      for (const p of r.series.price) if (Number.isFinite(p)) expect(p >= 0.09 && p <= 0.22).toBe(true);
  });

  it("keeps every device inside its limits (the safety layer, in the simulator)", () => {
    const s = battery.safety;
    expect(s.minTankC ?? 0).toBeGreaterThanOrEqual(45 - 1e-9);
    expect(s.maxTankC ?? 99).toBeLessThanOrEqual(65 + 1e-9);
    expect(s.longestWithoutLegionellaDays ?? 99).toBeLessThanOrEqual(3.5);
    expect(s.minSocShare ?? 0).toBeGreaterThanOrEqual(0.1 - 1e-9);
    expect(s.maxSocShare ?? 1).toBeLessThanOrEqual(0.95 + 1e-9);
    expect(s.evSessions).toBeGreaterThan(30);
    expect(s.evTargetsMissed).toBe(0);
  });
});
