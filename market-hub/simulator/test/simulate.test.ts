import { describe, expect, it } from "vitest";
import { buildCalendar } from "../src/calendar.js";
import { CommunityProfiles } from "../src/community-profiles.js";
import { loadScenario, parseScenarioYaml, ScenarioError, simulate, toJson } from "../src/index.js";
import { HouseholdShard, MAX_STEPS, shardColumns } from "../src/shards/household-shard.js";
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

  it("spreads households log-normally within their bounds, and names a bad spread's field", () => {
    const many = smallCommunity({
      households: [
        {
          id: "h",
          count: 400,
          annualKwh: { logNormal: { median: 3000, sigma: 0.5 }, min: 1000, max: 9000 },
          pvKwp: { logNormal: { median: 3, sigma: 0.8 }, min: 0.5 },
          pvShiftHours: [-2, 2],
        },
      ],
    }).households;
    const kwh = many.map((h) => h.annualKwh).sort((x, y) => x - y);
    const median = kwh[200] as number;
    expect(median).toBeGreaterThan(3000 * 0.9);
    expect(median).toBeLessThan(3000 * 1.1);
    expect(kwh[0]).toBeGreaterThanOrEqual(1000);
    expect(kwh.at(-1)).toBeLessThanOrEqual(9000);
    // skewed: the mean lies above the median, a few homes pull it up
    const mean = kwh.reduce((x, y) => x + y, 0) / kwh.length;
    expect(mean).toBeGreaterThan(median * 1.05);
    expect(Math.min(...many.map((h) => h.pvKwp))).toBeGreaterThanOrEqual(0.5);
    const shifts = new Set(many.map((h) => h.pvShiftSlots));
    expect(Math.min(...shifts)).toBe(-8);
    expect(Math.max(...shifts)).toBe(8);
    expect(() =>
      smallCommunity({
        households: [{ id: "h", annualKwh: { logNormal: { median: 3000, sigma: 0.5 }, min: 5000, max: 4000 } }],
      }),
    ).toThrow(/households\[0\]\.annualKwh/);
  });
});

describe("a simulated fortnight", () => {
  const loaded = smallCommunity();
  const conventional = simulate(loaded, "conventional");
  const local = simulate(loaded, "local");
  const battery = simulate(loaded, "local+battery");
  const ramps = simulate(loaded, "ramps");

  it("is reproducible from its seed", () => {
    expect(toJson([simulate(loaded, "local+battery")])).toEqual(toJson([battery]));
    expect(toJson([simulate(smallCommunity({ seed: 12 }), "local+battery")])).not.toEqual(toJson([battery]));
  });

  it("gives the same results to the bit with the households shared out to worker threads", () => {
    for (const [variant, alone] of [
      ["local+battery", battery],
      ["ramps", ramps],
    ] as const) {
      const shared = simulate(loaded, variant, { workers: 2 });
      expect(toJson([shared])).toEqual(toJson([alone]));
      expect(shared.safety).toEqual(alone.safety);
      for (const key of Object.keys(alone.series) as (keyof typeof alone.series)[])
        expect([...shared.series[key]]).toEqual([...alone.series[key]]);
    }
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
    // when the community exports the local price sits near the feed-in tariff without the battery (above
    // it where the tanks' heat is the last use bought), no lower with it
    const sunny = local.surplusPrice ?? 1;
    expect(sunny).toBeLessThan(0.13);
    expect(battery.surplusPrice ?? 0).toBeGreaterThanOrEqual(sunny);
    // nobody trades outside the utility's prices
    for (const r of [local, battery])
      for (const p of r.series.price) if (Number.isFinite(p)) expect(p >= 0.09 && p <= 0.22).toBe(true);
  });

  it("runs D3A's ramps on the same community: no plans, the battery's price ramping from the utility's", () => {
    // the same households, the same weather: only the strategies differ
    expect(ramps.households.map((h) => h.productionWh)).toEqual(battery.households.map((h) => h.productionWh));
    // the battery starts bidding at the feed-in tariff and asking retail, so its first trades are dearer to win
    const margin = toJson([battery, ramps]).planningMargin;
    expect(margin?.planned).toBe("local+battery");
    expect(margin?.selfSufficiencyPoints).toBeCloseTo(
      ((battery.kpis.selfSufficiency ?? 0) - (ramps.kpis.selfSufficiency ?? 0)) * 100,
      9,
    );
    expect(ramps.kpis.selfSufficiency).not.toBe(battery.kpis.selfSufficiency);
    for (const p of ramps.series.price) if (Number.isFinite(p)) expect(p >= 0.09 && p <= 0.22).toBe(true);
  });

  it("keeps every device inside its limits (the safety layer, in the simulator), planned or not", () => {
    for (const s of [battery.safety, ramps.safety]) {
      expect(s.minTankC ?? 0).toBeGreaterThanOrEqual(45 - 1e-9);
      expect(s.maxTankC ?? 99).toBeLessThanOrEqual(65 + 1e-9);
      expect(s.longestWithoutLegionellaDays ?? 99).toBeLessThanOrEqual(3.5);
      expect(s.minSocShare ?? 0).toBeGreaterThanOrEqual(0.1 - 1e-9);
      expect(s.maxSocShare ?? 1).toBeLessThanOrEqual(0.95 + 1e-9);
      expect(s.evSessions).toBeGreaterThan(30);
      expect(s.evTargetsMissed).toBe(0);
    }
  });
});

describe("the simulated planners act on their fills", () => {
  const loaded = smallCommunity({ period: { from: "2025-06-10", days: 4 } });
  const { scenario, market } = loaded;
  const cal = buildCalendar(scenario.period.from, scenario.period.days, scenario.timeZone, market.slotMinutes);
  const prof = new CommunityProfiles(loaded, cal);
  const flex = loaded.households.flatMap((h, i) => (h.boiler || h.battery ? [i] : []));
  const mode = { trading: true, planning: true, forecastError: false };
  // prices the households forecast from: cheap around noon, dear otherwise
  const price = Float64Array.from(cal.localHour, (h) => (h >= 11 && h < 15 ? 0.1 : 0.2));

  it("heat and charge the market did not sell them do not run, nor does a discharge it did not buy, unless safety needs it", () => {
    const shard = new HouseholdShard(loaded, mode, flex, cal, prof);
    const out = shardColumns(flex.length, false);
    let shed = 0;
    let safety = 0;
    for (let t = 0; t < cal.startMs.length; t++) {
      shard.bid(t, price, out);
      const given: number[] = [];
      for (let j = 0; j < flex.length; j++) {
        // the market gives each household its first step only: the house's need, or its PV
        const first = (out.steps[j] as number) > 0 ? (out.stepWh[j * MAX_STEPS] as number) : 0;
        out.boughtWh[j] = out.buy[j] === 1 ? first : 0;
        out.soldWh[j] = out.buy[j] === 1 ? 0 : first;
        given.push(out.buy[j] === 1 ? first : -first);
      }
      shard.act(t, out);
      for (let j = 0; j < flex.length; j++) {
        const why = shard.decisionOf(j)?.why.join("; ") ?? "";
        if (why.includes("did not fill")) shed++;
        const forced = /below its minimum|anti-legionella|limited to its power/.test(why);
        if (forced) safety++;
        // what the meter reads beyond what the market gave comes from safety alone
        if (!forced) expect(out.net[j] as number).toBeLessThanOrEqual((given[j] as number) + 1);
      }
    }
    expect(shed).toBeGreaterThan(20);
    expect(shard.safety.figures.minTankC ?? 0).toBeGreaterThanOrEqual(45 - 1e-9);
    expect(shard.safety.figures.minSocShare ?? 0).toBeGreaterThanOrEqual(0.1 - 1e-9);
    expect(safety).toBeLessThan(shed);
  });
});
