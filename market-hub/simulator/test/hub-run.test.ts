import type { LoopEvent } from "@openlem/agents";
import type { RunningHub } from "@openlem/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubOn, OPERATOR } from "../../../test-support/hub-fixture.js";
import { simulateOnHub } from "../src/index.js";
import { smallCommunity } from "./fixtures.js";

// The hub's market clock starts at 11:00 on a June morning in Amsterdam and moves only when
// the run has done its work for the moment: five market minutes a step, then the hub clears
// every gate that closed. No wall-clock race, however loaded the machine.
const START = Date.parse("2025-06-11T09:00:00Z");
const STEP_MS = 5 * 60_000;

describe("the simulator end to end against a running hub", () => {
  let hub: RunningHub;
  let now = START;
  const between = async () => {
    now += STEP_MS;
    await hub.scheduler.tick();
  };
  beforeAll(async () => {
    hub = await hubOn({ now: () => new Date(now), tickMs: 0 });
  });
  afterAll(() => hub.close());

  it("runs every household's agent loop through the client; the hub clears, meters and bills them", async () => {
    const loaded = smallCommunity();
    const events: { id: string; e: LoopEvent }[] = [];
    const slots = 5;
    const r = await simulateOnHub(loaded, {
      url: hub.url,
      operator: OPERATOR,
      slots,
      between,
      onEvent: (id, e) => events.push({ id, e }),
    });
    const errors = events.filter((x) => x.e.type === "error");
    expect(errors.map((x) => `${x.id}: ${String(x.e.type === "error" && x.e.error)}`)).toEqual([]);
    // every household bid through its own device token for each slot of the run whose gate
    // was still open when it started: all but the one under way at 11:00
    for (const h of loaded.households) {
      const sent = events.filter((x) => x.id === h.id && x.e.type === "submitted").length;
      expect(sent, h.id).toBe(slots - 1);
    }
    expect(r.households.map((h) => h.id)).toEqual(loaded.households.map((h) => h.id));

    // what the hub metered from the readings is what the simulated homes, plants and battery did
    let net = 0;
    for (let k = 0; k < slots; k++) net += (r.series.importWh[k] as number) - (r.series.exportWh[k] as number);
    expect(r.kpis.gridImportWh - r.kpis.gridExportWh).toBe(net);
    // at 11:00 in June the houses' PV runs ahead of their load: they export
    const exported = r.households.reduce((s, h) => s + h.exportWh, 0);
    expect(exported).toBeGreaterThan(0);

    // late morning in June: PV surplus traded locally, between the feed-in tariff and retail
    expect(r.kpis.localTradedWh).toBeGreaterThan(0);
    const prices = r.priceByHour.filter((p): p is number => p !== null);
    expect(prices.length).toBeGreaterThan(0);
    for (const p of prices) {
      expect(p).toBeGreaterThanOrEqual(loaded.market.feedInTariff);
      expect(p).toBeLessThanOrEqual(loaded.market.retailPrice);
    }
    // together the households pay no more than with the utility alone
    const bills = r.households.reduce((s, h) => s + h.bill, 0);
    const utility = r.households.reduce((s, h) => s + h.utilityOnly, 0);
    expect(bills).toBeLessThanOrEqual(utility);
    expect(r.others.map((o) => o.id)).toContain(loaded.scenario.communalBattery?.id);

    // and the devices stayed inside their limits
    const boiler = loaded.households.find((h) => h.boiler)?.boiler;
    expect(r.safety.minTankC).not.toBeNull();
    expect(r.safety.minTankC as number).toBeGreaterThanOrEqual((boiler?.minTempC ?? 0) - 1e-9);
    expect(r.safety.maxTankC as number).toBeLessThanOrEqual((boiler?.maxTempC ?? 0) + 1e-9);
    expect(r.safety.minSocShare as number).toBeGreaterThanOrEqual(0.1 - 1e-9);
  });
});
