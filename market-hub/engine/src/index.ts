export { type ClearInput, clear } from "./clear.js";
export { clearUniformColumns } from "./clear-columns.js";
export { ContinuousBook, type ContinuousTrade } from "./continuous.js";
export { marketParams, type OrderMeta, tariffTicks, toBookOrder, toSlotResult, toWireFill } from "./convert.js";
export { effectiveBuy, effectiveSell } from "./effective-price.js";
export { SOURCE_CODES } from "./entries.js";
export { computeKpis, type FlowSlot, KpiAccumulator, type KpiInput, type SlotTotals } from "./kpis.js";
export { type PriceRule, priceTarget } from "./pricing.js";
export { allocateProRata } from "./pro-rata.js";
export { fillColumns, type SlotColumns, type SlotSettlement, settleColumns } from "./settle-columns.js";
export {
  GRID_ACCOUNT,
  type LedgerLine,
  ledgerTotal,
  type MeteredSlot,
  type SettlementInput,
  type SettlementOutcome,
  type SlotFills,
  settle,
  UTILITY_ACCOUNT,
  utilityOnlyBill,
} from "./settlement.js";
export { buildStatement, type StatementInput } from "./statement.js";
export type * from "./types.js";
