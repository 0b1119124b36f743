import { BatterySpec, BoilerDevice, EvCharger } from "@openlem/agents";
import {
  describeProblems,
  fieldProblems,
  LocalClock,
  LocalDate,
  MarketConfig,
  Price,
  Source,
  TimeZone,
} from "@openlem/protocol";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DEFAULT_LOAD_VARIABILITY } from "./profiles/load.js";
import { pick, seedOf } from "./random.js";

/**
 * A number, a [low, high] range each household draws from uniformly, or a log-normal spread
 * `{ logNormal: { median, sigma }, min, max }` (seeded, per household).
 */
const Range = (inner: z.ZodNumber) =>
  z.union([
    inner,
    z.tuple([inner, inner]).refine(([lo, hi]) => lo <= hi, { message: "a range is [low, high] with low <= high" }),
    z
      .object({
        logNormal: z.object({ median: z.number().positive(), sigma: z.number().min(0).max(3) }).strict(),
        min: inner.optional(),
        max: inner.optional(),
      })
      .strict()
      .refine((d) => d.min === undefined || d.max === undefined || d.min <= d.max, {
        message: "min must not exceed max",
        path: ["max"],
      }),
  ]);
const PriceRange = z.union([Price, z.tuple([Price, Price]).refine(([lo, hi]) => lo <= hi, "low must not exceed high")]);

const HouseholdGroup = z
  .object({
    /** The household's id, or the prefix of a group's ids (house-01, house-02, ...). */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lower-case letters, digits and dashes"),
    count: z.number().int().min(1).max(100_000).default(1),
    annualKwh: Range(z.number().positive()),
    /**
     * Electric space heating a year (heat pump, kWh of electricity) on top of `annualKwh`,
     * spread over the heating season by how cold it is: most in winter and at night.
     */
    heatingKwh: Range(z.number().min(0)).default(0),
    pvKwp: Range(z.number().min(0)).default(0),
    /**
     * Where the roof faces, as the hours its production peaks after (west) or before (east,
     * negative) solar noon: a community's mix of roofs spreads its PV over the day.
     */
    pvShiftHours: Range(z.number().min(-3).max(3)).default(0),
    /** Slot-to-slot spread of the load (σ of a log-normal factor; 0.17 ≈ ±30 %, real homes ≈ 0.8). */
    loadVariability: z.number().min(0).max(2).default(DEFAULT_LOAD_VARIABILITY),
    battery: BatterySpec.optional(),
    boiler: BoilerDevice.optional(),
    ev: EvCharger.extend({
      needKwh: Range(z.number().min(0)).default(10),
      arrival: LocalClock.default("18:00"),
      departure: LocalClock.default("07:00"),
    }).optional(),
    /** Price limits; default: the bidding spread of the scenario. */
    maxBuyPrice: PriceRange.optional(),
    minSellPrice: PriceRange.optional(),
    /** Per-source willingness to pay (per-source markets, as in Landau). */
    sourceLimits: z.partialRecord(Source, Price).optional(),
  })
  .strict();
export type HouseholdGroup = z.output<typeof HouseholdGroup>;

const Generator = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lower-case letters, digits and dashes"),
    source: Source,
    /** PV plant size (source pv). */
    pvKwp: z.number().positive().optional(),
    /** Electric power of a CHP (source chp); heat-led: full in winter, mostly off in summer. */
    kw: z.number().positive().optional(),
    /** The price it asks (currency/kWh). */
    ask: Price,
  })
  .strict()
  .refine((g) => (g.source === "pv" ? g.pvKwp !== undefined : g.kw !== undefined), {
    message: "a pv generator needs pvKwp, any other needs kw",
    path: ["source"],
  });
export type Generator = z.output<typeof Generator>;

const CommunalBattery = z
  .object({
    id: z.string().default("community-battery"),
    capacityWh: z.number().int().positive(),
    powerW: z.number().int().positive(),
    roundTripEfficiency: z.number().gt(0).max(1).default(0.9),
    minSoc: z.number().min(0).max(1).default(0.1),
    maxSoc: z.number().min(0).max(1).default(0.95),
    /** Buys at up to this price, sells at no less than this one (the Groene Mient battery: 0.15 and 0.20). */
    buyPrice: Price,
    sellPrice: Price,
  })
  .strict();
export type CommunalBattery = z.output<typeof CommunalBattery>;

export const Scenario = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.number().int().default(1),
    timeZone: TimeZone,
    location: z.object({ latitude: z.number().min(-66).max(66), longitude: z.number().min(-180).max(180) }).strict(),
    /** Local calendar days from `from`. */
    period: z.object({ from: LocalDate, days: z.number().int().min(1).max(3660) }).strict(),
    /** Specific yield of rooftop PV in a year of mean weather. */
    pvYieldKwhPerKwp: z.number().positive().default(950),
    market: z.record(z.string(), z.unknown()).default({}),
    /**
     * How households bid. Their limits (never pay more, never sell for less) default to the
     * retail price and the feed-in tariff, or are drawn from ranges. Within its limits each
     * household's price follows the D3A ramp carried from slot to slot by `stepPrice`: an
     * unfilled seller asks less next time, an unfilled buyer bids more, and back.
     */
    bidding: z
      .object({
        maxBuyPrice: PriceRange.optional(),
        minSellPrice: PriceRange.optional(),
        stepPrice: Price.refine((p) => p > 0, "must be above 0").default(0.01),
        /**
         * Households bid what they forecast (their own history's load and PV, the plan's
         * devices) and are metered on what happens; the difference is settled as deviation.
         * Off: they bid exactly what their meters will read (an upper bound on savings).
         */
        forecastError: z.boolean().default(false),
      })
      .strict()
      .default({ stepPrice: 0.01, forecastError: false }),
    households: z.array(HouseholdGroup).min(1),
    generators: z.array(Generator).default([]),
    communalBattery: CommunalBattery.optional(),
    /**
     * Figures a study reported for this community, printed beside the simulation's: the
     * self-sufficiency on its definition (net metered), per variant.
     */
    reference: z
      .object({
        name: z.string().min(1),
        selfSufficiency: z.partialRecord(z.enum(["conventional", "local", "local+battery"]), z.number().min(0).max(1)),
        /** The local price in sunny hours (when the households have energy to spare), currency/kWh. */
        surplusPrice: z.partialRecord(z.enum(["local", "local+battery"]), Price).default({}),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Scenario = z.output<typeof Scenario>;

/** One household after expanding the groups and drawing its figures from the ranges. */
export interface Household {
  id: string;
  index: number;
  annualKwh: number;
  heatingKwh: number;
  pvKwp: number;
  /** Orientation and shading: the household's share of the site's PV yield. */
  pvGain: number;
  /** The roof's orientation: its production curve shifted by this many slots (+: later). */
  pvShiftSlots: number;
  loadVariability: number;
  battery?: BatterySpec | undefined;
  boiler?: BoilerDevice | undefined;
  ev?: { maxPowerW: number; needWh: number; arrival: string; departure: string } | undefined;
  maxBuyPrice: number;
  minSellPrice: number;
  sourceLimits?: Partial<Record<Source, number>> | undefined;
}

export interface LoadedScenario {
  scenario: Scenario;
  market: MarketConfig;
  households: Household[];
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScenarioError";
  }
}

const round5 = (p: number) => Math.round(p * 100_000) / 100_000;

/** Validates a scenario (an object, e.g. parsed YAML) and draws its households. */
export function loadScenario(input: unknown): LoadedScenario {
  const parsed = Scenario.safeParse(input);
  if (!parsed.success) throw new ScenarioError(`scenario: ${describeProblems(fieldProblems(parsed.error))}`);
  const scenario = parsed.data;
  const m = MarketConfig.safeParse({ ...scenario.market, timeZone: scenario.timeZone });
  if (!m.success) throw new ScenarioError(`scenario market: ${describeProblems(fieldProblems(m.error))}`);
  const market = m.data;
  const buyRange = scenario.bidding.maxBuyPrice ?? market.retailPrice;
  const sellRange = scenario.bidding.minSellPrice ?? market.feedInTariff;
  const seed = scenario.seed;
  const households: Household[] = [];
  const ids = new Set<string>();
  for (const g of scenario.households) {
    const width = String(g.count).length;
    for (let k = 0; k < g.count; k++) {
      const id = g.count === 1 ? g.id : `${g.id}-${String(k + 1).padStart(Math.max(2, width), "0")}`;
      if (ids.has(id)) throw new ScenarioError(`scenario households: the id "${id}" is used twice`);
      ids.add(id);
      const h = seedOf(id);
      const index = households.length;
      households.push({
        id,
        index,
        annualKwh: pick(g.annualKwh, seed, h, 1),
        heatingKwh: pick(g.heatingKwh, seed, h, 7),
        pvKwp: pick(g.pvKwp, seed, h, 2),
        pvGain: 0.9 + 0.2 * pick([0, 1], seed, h, 3),
        pvShiftSlots: Math.round((pick(g.pvShiftHours, seed, h, 8) * 60) / market.slotMinutes),
        loadVariability: g.loadVariability,
        battery: g.battery,
        boiler: g.boiler,
        ev: g.ev && {
          maxPowerW: g.ev.maxPowerW,
          needWh: Math.round(pick(g.ev.needKwh, seed, h, 4) * 1000),
          arrival: g.ev.arrival,
          departure: g.ev.departure,
        },
        maxBuyPrice: round5(pick(g.maxBuyPrice ?? buyRange, seed, h, 5)),
        minSellPrice: round5(pick(g.minSellPrice ?? sellRange, seed, h, 6)),
        sourceLimits: g.sourceLimits,
      });
    }
  }
  return { scenario, market, households };
}

/** Reads a scenario from YAML text; errors name the field and the rule. */
export function parseScenarioYaml(text: string): LoadedScenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ScenarioError(`scenario: not valid YAML: ${(err as Error).message}`);
  }
  return loadScenario(doc);
}
