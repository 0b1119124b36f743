import { type LoadedScenario, loadScenario } from "../src/index.js";

/** A small community for tests: a fortnight of summer, PV, a few flexible households, a communal battery. */
export function smallCommunity(over: Record<string, unknown> = {}): LoadedScenario {
  return loadScenario({
    name: "test community",
    seed: 11,
    timeZone: "Europe/Amsterdam",
    location: { latitude: 52.07, longitude: 4.3 },
    period: { from: "2025-06-10", days: 14 },
    market: { retailPrice: 0.22, feedInTariff: 0.09, priceFloor: 0, priceCap: 0.5 },
    households: [
      { id: "high-consumption", annualKwh: 5200, pvKwp: 3 },
      { id: "high-production", annualKwh: 2400, pvKwp: 6 },
      { id: "house", count: 8, annualKwh: [2800, 4200], pvKwp: [2.4, 3.6] },
      {
        id: "flex",
        count: 3,
        annualKwh: 3500,
        pvKwp: 4,
        battery: { capacityWh: 10_000, maxChargeW: 4_000, maxDischargeW: 4_000 },
        boiler: { volumeL: 200, heaterW: 3_000, legionellaEveryDays: 3 },
        ev: { maxPowerW: 7_400, needKwh: [8, 16] },
      },
    ],
    communalBattery: { capacityWh: 30_000, powerW: 15_000, buyPrice: 0.15, sellPrice: 0.2 },
    ...over,
  });
}
