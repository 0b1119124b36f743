/**
 * A day of a small community on the engine alone: ten households, six with rooftop PV,
 * and a communal battery that buys at <= 15 ct and sells at >= 20 ct (the Groene Mient
 * strategy). Every 15-minute slot is cleared with the uniform price, then settled against
 * metered energy; the KPIs and one household's statement close the day.
 *
 * Run: `npm run demo -w @openlem/engine` (the root's `npm start` runs the hub's demo).
 */
import { gateClosesAtMs, localHourOf, MarketConfig, periodOf, slotStarts, ticksToPrice } from "@openlem/protocol";
import {
  type BookOrder,
  buildStatement,
  clear,
  computeKpis,
  type EngineFill,
  type FlowSlot,
  marketParams,
  type SlotFills,
  settle,
  utilityOnlyBill,
} from "../src/index.js";

const config = MarketConfig.parse({
  timeZone: "Europe/Amsterdam",
  retailPrice: 0.22,
  feedInTariff: 0.09,
  priceFloor: 0,
  priceCap: 0.5,
});
const day = "2026-06-21";
const period = periodOf("day", day, config.timeZone);
const slots = slotStarts(period.from, period.to, config.slotMinutes);
const market = marketParams(config, "electricity");
const hours = config.slotMinutes / 60;

const households = Array.from({ length: 10 }, (_, i) => ({
  id: `house-${i + 1}`,
  pvKwp: i < 6 ? 4 + (i % 3) : 0,
  baseW: 180 + 40 * (i % 4),
}));
const battery = {
  id: "community-battery",
  capacityWh: 20_000,
  powerW: 5_000,
  socWh: 10_000,
  minWh: 2_000,
  maxWh: 19_000,
};

function loadW(baseW: number, h: number): number {
  return baseW + (h >= 7 && h < 8.5 ? 500 : 0) + (h >= 18 && h < 21.5 ? 900 : 0) + (h >= 12 && h < 13 ? 250 : 0);
}
function pvW(kwp: number, h: number): number {
  const x = (h - 5.5) / 16.5; // sunrise about 05:30, sunset about 22:00 in June
  return x <= 0 || x >= 1 ? 0 : kwp * 1000 * 0.78 * Math.sin(Math.PI * x) ** 1.6;
}

let seq = 0;
const fills: SlotFills[] = [];
const flows: FlowSlot[] = [];
const priceByHour = new Map<number, number[]>();
for (const slot of slots) {
  const h = localHourOf(slot, config.timeZone);
  const orders: BookOrder[] = [];
  const add = (
    householdId: string,
    side: "buy" | "sell",
    energyWh: number,
    price: number,
    source: BookOrder["source"],
  ) => {
    if (energyWh <= 0) return;
    seq++;
    orders.push({
      id: `${slot}#${seq}`,
      seq,
      householdId,
      side,
      commodity: "electricity",
      steps: [{ priceTicks: Math.round(price * 100_000), energyWh }],
      source,
    });
  };
  for (const hh of households) {
    const consumptionWh = Math.round(loadW(hh.baseW, h) * hours);
    const productionWh = Math.round(pvW(hh.pvKwp, h) * hours);
    const net = consumptionWh - productionWh;
    // Households without automation: they buy whatever they need (up to the cap) and sell surplus at any price.
    if (net > 0) add(hh.id, "buy", net, config.priceCap, null);
    else add(hh.id, "sell", -net, config.priceFloor, "pv");
    flows.push({
      householdId: hh.id,
      slot,
      commodity: "electricity",
      importWh: Math.max(0, net),
      exportWh: Math.max(0, -net),
      consumptionWh,
      productionWh,
    });
  }
  const maxStep = battery.powerW * hours;
  add(battery.id, "buy", Math.min(maxStep, battery.maxWh - battery.socWh), 0.15, null);
  add(battery.id, "sell", Math.min(maxStep, battery.socWh - battery.minWh), 0.2, "battery");
  const r = clear({ market, orders, atMs: gateClosesAtMs(Date.parse(slot), config) });
  fills.push({ slot, fills: r.fills });
  const batteryNet = r.fills
    .filter((f: EngineFill) => f.householdId === battery.id)
    .reduce((s, f) => s + (f.side === "buy" ? f.energyWh : -f.energyWh), 0);
  battery.socWh += batteryNet;
  flows.push({
    householdId: battery.id,
    slot,
    commodity: "electricity",
    importWh: Math.max(0, batteryNet),
    exportWh: Math.max(0, -batteryNet),
    storage: true,
  });
  const price = r.markets[0]?.priceTicks;
  if (price !== null && price !== undefined) {
    const hour = Math.floor(h);
    priceByHour.set(hour, [...(priceByHour.get(hour) ?? []), price]);
  }
}

const tariff = () => market.tariff;
const { lines } = settle({ fills, metered: flows, tariff });
const kpis = computeKpis({ flows, ledger: lines, slotMinutes: config.slotMinutes, tariff });

console.log(
  `OpenLEM engine demo: ${households.length} households and a 20 kWh communal battery, ${day} (${slots.length} slots)`,
);
console.log(
  `utility: retail ${config.retailPrice}/kWh, feed-in ${config.feedInTariff}/kWh; mechanism: uniform price\n`,
);
console.log("local price by hour (average of the slots that traded locally)");
for (let hour = 0; hour < 24; hour++) {
  const ps = priceByHour.get(hour);
  if (!ps) {
    console.log(`${String(hour).padStart(2, "0")}:00  (no local trade: all from the utility)`);
    continue;
  }
  const avg = ticksToPrice(Math.round(ps.reduce((s, p) => s + p, 0) / ps.length));
  const bar = "#".repeat(Math.round(avg * 200));
  console.log(`${String(hour).padStart(2, "0")}:00  ${avg.toFixed(3)}  ${bar}`);
}
const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)} %`);
console.log("\ncommunity KPIs for the day");
console.log(
  `  demand ${(kpis.demandWh / 1000).toFixed(1)} kWh, generation ${(kpis.generationWh / 1000).toFixed(1)} kWh`,
);
console.log(`  self-sufficiency ${pct(kpis.selfSufficiency)}, self-consumption ${pct(kpis.selfConsumption)}`);
console.log(`  local trade share ${pct(kpis.localTradeShare)}, peak import ${(kpis.peakImportW / 1000).toFixed(1)} kW`);
console.log(`  savings against the utility alone: ${config.currency} ${Number(kpis.savings).toFixed(2)}`);

const who = "house-2";
const own = flows.filter((f) => f.householdId === who);
const st = buildStatement({
  communityId: "demo",
  householdId: who,
  currency: config.currency,
  period,
  lines,
  utilityOnly: utilityOnlyBill(own, tariff),
});
console.log(`\nstatement for ${who}, ${day}`);
st.lines.forEach((l, i) => {
  const cents = st.linesMinor[i] ?? 0;
  console.log(
    `  ${l.kind.padEnd(15)} ${(l.energyWh / 1000).toFixed(2).padStart(7)} kWh  ${(cents / 100).toFixed(2).padStart(7)}`,
  );
});
console.log(`  ${"total".padEnd(15)} ${"".padStart(11)}  ${(st.totalMinor / 100).toFixed(2).padStart(7)}`);
console.log(
  `  utility alone would have been ${Number(st.utilityOnlyTotal).toFixed(2)}; saved ${Number(st.savings).toFixed(2)}`,
);
console.log("\nThe contracts are in docs/protocol.md; the mechanisms in docs/engine.md.");
