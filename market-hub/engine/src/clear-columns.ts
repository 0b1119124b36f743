import { moneyOf } from "@openlem/protocol";
import { gatherRows } from "./clear.js";
import { Entries } from "./entries.js";
import type { PriceRule } from "./pricing.js";
import { cancelSelfCrossing } from "./self-trade.js";
import type { BookColumns, ColumnsOutcome, TariffTicks } from "./types.js";
import { clearUniform } from "./uniform.js";
import { utilityTakes } from "./utility.js";

/**
 * Uniform-price clearing of a book given as columns: the same rules as `clear` with the
 * "uniform" mechanism (self-trade prevention, pro-rata margin, utility fallback), with
 * results per row in typed arrays instead of fill objects. For books of many thousand
 * orders, where allocating an object per order costs more than clearing them.
 */
export function clearUniformColumns(
  columns: BookColumns,
  tariff: TariffTicks | null,
  options: { final?: boolean; uniformPriceK?: number; uniformPricing?: PriceRule } = {},
): ColumnsOutcome {
  const E = Entries.fromColumns(columns);
  const market = { commodity: "electricity", mechanism: "uniform", tariff, sourceOrder: [] } as const;
  const { buys, sells } = gatherRows(E, market, null);
  const selfCrossCancelledWh = cancelSelfCrossing(E, buys, sells);
  const u = clearUniform(E, buys, sells, { k: options.uniformPriceK, rule: options.uniformPricing, tariff });
  const local = new Float64Array(E.n);
  for (let i = 0; i < buys.n; i++) local[buys.entry[i] as number] = u.buyFill[i] as number;
  for (let i = 0; i < sells.n; i++) local[sells.entry[i] as number] = u.sellFill[i] as number;
  const localValue = new Float64Array(E.n);
  if (u.price !== null)
    for (let k = 0; k < E.n; k++) if (local[k] !== 0) localValue[k] = moneyOf(u.price, local[k] as number);
  const utility = new Float64Array(E.n);
  let fromUtilityWh = 0;
  let toUtilityWh = 0;
  if (tariff && (options.final ?? true)) {
    for (let k = 0; k < E.n; k++) {
      const left = (E.remaining[k] as number) - (local[k] as number);
      if (left <= 0) continue;
      if (utilityTakes(E.isBuy[k] === 1, E.limit[k] as number, tariff)) {
        utility[k] = left;
        if (E.isBuy[k] === 1) fromUtilityWh += left;
        else toUtilityWh += left;
      }
    }
  }
  return {
    priceTicks: u.price,
    localWh: u.volume,
    fromUtilityWh,
    toUtilityWh,
    selfCrossCancelledWh,
    local,
    localValue,
    utility,
  };
}
