import { HouseholdId, localHourOf, type OrderInput } from "@openlem/protocol";

/** A simulated household of the demo community: a load, maybe PV, maybe a boiler or a battery. */
export interface DemoHousehold {
  id: HouseholdId;
  baseW: number;
  pvKwp: number;
  boiler: boolean;
  battery?: { capacityWh: number; powerW: number; socWh: number; minWh: number; maxWh: number };
}

export const DEMO_HOUSEHOLDS: DemoHousehold[] = [
  ...Array.from({ length: 10 }, (_, i) => ({
    id: HouseholdId.parse(`house-${i + 1}`),
    baseW: 180 + 40 * (i % 4),
    pvKwp: i < 6 ? 4 + (i % 3) : 0,
    boiler: i === 2 || i === 7,
  })),
  {
    id: HouseholdId.parse("community-battery"),
    baseW: 0,
    pvKwp: 0,
    boiler: false,
    battery: { capacityWh: 20_000, powerW: 5_000, socWh: 10_000, minWh: 2_000, maxWh: 19_000 },
  },
];

/** Residential shape: base load, a morning bump, an evening peak. */
export function loadW(baseW: number, h: number): number {
  return baseW + (h >= 7 && h < 8.5 ? 500 : 0) + (h >= 18 && h < 21.5 ? 900 : 0) + (h >= 12 && h < 13 ? 250 : 0);
}

/** Clear-sky PV shape for a summer day, sunrise about 05:30 and sunset about 22:00. */
export function pvW(kwp: number, h: number): number {
  const x = (h - 5.5) / 16.5;
  return x <= 0 || x >= 1 ? 0 : kwp * 1000 * 0.78 * Math.sin(Math.PI * x) ** 1.6;
}

/**
 * The orders a demo household sends for a slot. Households without automation buy what they
 * need up to the price cap and sell their surplus at any price; a boiler heats when power is
 * cheap (up to 15 ct); the battery buys at up to 15 ct and sells at 20 ct or more (the Groene
 * Mient strategy).
 */
export function demoOrders(
  h: DemoHousehold,
  slot: string,
  slotMinutes: number,
  timeZone: string,
  cap: number,
): OrderInput[] {
  const hours = slotMinutes / 60;
  const hour = localHourOf(slot, timeZone);
  const id = (kind: string) => `demo-${kind}-${slot}`;
  const out: OrderInput[] = [];
  if (h.battery) {
    const b = h.battery;
    const step = b.powerW * hours;
    const charge = Math.floor(Math.min(step, b.maxWh - b.socWh));
    const discharge = Math.floor(Math.min(step, b.socWh - b.minWh));
    if (charge > 0) out.push({ clientOrderId: id("charge"), side: "buy", slot, energyWh: charge, limitPrice: 0.15 });
    if (discharge > 0) {
      out.push({
        clientOrderId: id("discharge"),
        side: "sell",
        slot,
        energyWh: discharge,
        limitPrice: 0.2,
        source: "battery",
      });
    }
    return out;
  }
  const net = Math.round((loadW(h.baseW, hour) - pvW(h.pvKwp, hour)) * hours);
  if (net > 0) out.push({ clientOrderId: id("load"), side: "buy", slot, energyWh: net, limitPrice: cap });
  if (net < 0) out.push({ clientOrderId: id("pv"), side: "sell", slot, energyWh: -net, limitPrice: 0, source: "pv" });
  if (h.boiler)
    out.push({ clientOrderId: id("boiler"), side: "buy", slot, energyWh: Math.round(2500 * hours), limitPrice: 0.15 });
  return out;
}

/**
 * The demo's meters: cumulative registers that advance by what each household traded in a
 * slot plus a small deterministic deviation (people never use exactly what they bid for), so
 * statements show real deviation lines.
 */
export class DemoMeters {
  private readonly registers = new Map<string, { importWh: number; exportWh: number }>();
  private n = 0;

  constructor(
    private readonly households: readonly string[],
    /** Registers to go on from (the meters' last readings), by household; new meters start at 1 MWh / 200 kWh. */
    from: ReadonlyMap<string, { importWh: number; exportWh: number }> = new Map(),
  ) {
    for (const h of households)
      this.registers.set(h, { ...(from.get(h) ?? { importWh: 1_000_000, exportWh: 200_000 }) });
  }

  deliver(_slot: string, tradedNet: ReadonlyMap<string, number>): void {
    this.n++;
    this.households.forEach((h, i) => {
      const r = this.registers.get(h);
      if (!r) return;
      const traded = tradedNet.get(h) ?? 0;
      const deviation = h === "community-battery" ? 0 : Math.round(40 * Math.sin(this.n * 0.7 + i * 1.3));
      const net = traded + deviation;
      if (net > 0) r.importWh += net;
      else r.exportWh -= net;
    });
  }

  read(at: string): { meterId: string; at: string; importWh: number; exportWh: number }[] {
    return this.households.map((h) => ({
      meterId: `${h}-main`,
      at,
      ...(this.registers.get(h) ?? { importWh: 0, exportWh: 0 }),
    }));
  }
}
