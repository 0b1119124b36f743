import { z } from "zod";
import { CommunityId, HouseholdId } from "./ids.js";
import { Commodity, Price } from "./market.js";
import { LocalDate, PeriodKind, UtcInstant } from "./time.js";
import { MONEY_PATTERN } from "./units.js";

/** Money on the wire: a decimal string with exactly 8 decimals. Positive = the account pays. */
export const Money = z.string().regex(MONEY_PATTERN, {
  message: 'must be a decimal string with exactly 8 decimals, e.g. "1.25000000"',
});

export const StatementLineKind = z.enum([
  "local-buy",
  "local-sell",
  "utility-buy",
  "utility-sell",
  "grid-fee",
  "deviation-buy",
  "deviation-sell",
]);
export type StatementLineKind = z.infer<typeof StatementLineKind>;

/** Who an account is: a participant, or the utility and grid operator that close every book. */
export const AccountId = z.union([HouseholdId, z.literal("@utility"), z.literal("@grid")]);

export const StatementLine = z.object({
  account: AccountId,
  kind: StatementLineKind,
  commodity: Commodity,
  energyWh: z.number().int().min(0),
  /** Average price of the line in currency/kWh (exact amount / energy, for display). */
  averagePrice: Price.nullable(),
  amount: Money,
});
export type StatementLine = z.output<typeof StatementLine>;

export const Statement = z.object({
  communityId: CommunityId,
  householdId: HouseholdId,
  currency: z.string().regex(/^[A-Z]{3}$/),
  period: z.object({ kind: PeriodKind, start: LocalDate, from: UtcInstant, to: UtcInstant }),
  lines: z.array(StatementLine),
  /** Exact total; positive = the participant pays. */
  total: Money,
  /** The total rounded half-to-even to the currency's minor unit (cents). */
  totalMinor: z.number().int(),
  /** The line amounts rounded so that they add up to totalMinor. */
  linesMinor: z.array(z.number().int()),
  utilityOnlyTotal: Money,
  savings: Money,
});
export type Statement = z.output<typeof Statement>;

/** Community KPIs as the field defines them (see docs/protocol.md). Ratios are 0..1 or null with no data. */
export const Kpis = z.object({
  demandWh: z.number().int().min(0),
  generationWh: z.number().int().min(0),
  localTradedWh: z.number().int().min(0),
  boughtWh: z.number().int().min(0),
  gridImportWh: z.number().int().min(0),
  gridExportWh: z.number().int().min(0),
  selfSufficiency: z.number().min(0).max(1).nullable(),
  selfConsumption: z.number().min(0).max(1).nullable(),
  localTradeShare: z.number().min(0).max(1).nullable(),
  savings: Money,
  peakImportW: z.number().int().min(0),
  peakImportSlot: UtcInstant.nullable(),
});
export type Kpis = z.output<typeof Kpis>;

/** The community's KPIs for one local day, published retained after every cleared slot. */
export const KpiSignal = z.object({
  communityId: CommunityId,
  period: z.object({ kind: PeriodKind, start: LocalDate }),
  kpis: Kpis,
  at: UtcInstant,
});
export type KpiSignal = z.output<typeof KpiSignal>;
