import { fillShortfall, HouseholdAgent, HouseholdSpec } from "@openlem/agents";
import { describe, expect, it } from "vitest";
import { battery } from "../src/nodes/battery/runtime.js";
import { boiler } from "../src/nodes/boiler/runtime.js";

/**
 * What a device node's status says of a decision, for decisions the real household agent
 * makes: its own safety reason comes before whether the slot had a market plan.
 */
describe("a device node's status", () => {
  const spec = HouseholdSpec.parse({
    boiler: { volumeL: 200, heaterW: 3000 },
    battery: { capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000 },
  });
  const startMs = Date.parse("2026-06-24T09:00:00Z");

  it("boiler: a slot without a market plan, overruled by safety, says the safety reason", () => {
    const agent = new HouseholdAgent(spec, 15);
    // the user switched it off, the tank is below its minimum: safety heats anyway
    agent.setOverride("off");
    const d = agent.decide(startMs, { tempC: 40, socWh: 5_000 }, { netLoadWh: 0, drawWh: 0 }, { localDefault: true });
    expect(d.why[0]).toMatch(/^no market plan/);
    expect(d.boilerOn).toBe(true);
    expect(boiler.describe(d, { tempC: 40 })).toBe(
      "heating at 40.0 °C: boiler: heating, the water would fall below its minimum",
    );
    // and without a reason of its own, the market's
    const plain = new HouseholdAgent(spec, 15).decide(
      startMs,
      { tempC: 50, socWh: 5_000 },
      { netLoadWh: 0, drawWh: 0 },
      { localDefault: true },
    );
    expect(boiler.describe(plain, { tempC: 50 })).toBe(
      "heating at 50.0 °C: no market plan for this slot: local default behaviour",
    );
  });

  it("boiler: a buy that did not fill says so, and what it bought", () => {
    const agent = new HouseholdAgent(spec, 15);
    Object.assign(agent.memory, {
      planFromMs: startMs,
      plannedAtMs: startMs,
      batteryW: [0],
      boilerOn: [true],
      evW: [0],
      netLoadWh: [100],
      buyPrice: [0.1],
    });
    agent.recordBid(startMs, [{ id: "7", order: { side: "buy", energyWh: 850 } }]);
    agent.recordFills({ startMs, boughtWh: 100, soldWh: 0 });
    const d = agent.decide(startMs, { tempC: 50, socWh: 5_000 }, { netLoadWh: 100, drawWh: 0 });
    expect(boiler.describe(d, { tempC: 50 })).toBe(
      "off at 50.0 °C: boiler: off, its buy did not fill (100 of 850 Wh bought)",
    );
    const filled = { startMs, boughtWh: 100, soldWh: 0, buyWh: 850, sellWh: 0 };
    expect(fillShortfall(filled, d.startMs)).toEqual(["bought 100 of 850 Wh"]);
    expect(fillShortfall({ ...filled, boughtWh: 850 }, d.startMs)).toEqual([]);
    expect(fillShortfall(filled, d.startMs + 900_000)).toEqual([]);
  });

  it("battery: the state-of-charge window before the market's reason", () => {
    const d = {
      startMs,
      boilerOn: false,
      batteryW: 0,
      evW: 0,
      netWh: 0,
      mode: "fallback" as const,
      why: [
        "no market plan for this slot: local default behaviour",
        "battery: 0 W, the load it was feeding was switched off",
      ],
    };
    expect(battery.describe(d, { socWh: 5_000 })).toBe(
      "idle (5.0 kWh): battery: 0 W, the load it was feeding was switched off",
    );
  });
});
