/*
 * A statement's lines as energy and money in and out of the household, the one rule every
 * front end uses (the Home Assistant bridge's entities, the energy card). Kept free of zod so
 * that the cards can use it without bundling schemas.
 */

/** Energy the household imported: bought locally, from the utility, and deviations bought. */
export const IMPORT_LINE_KINDS = ["local-buy", "utility-buy", "deviation-buy"] as const;
/** Energy the household exported: sold locally, to the utility, and deviations sold. */
export const EXPORT_LINE_KINDS = ["local-sell", "utility-sell", "deviation-sell"] as const;
/** Charges that come with imports (the grid operator's fee on energy taken). */
export const IMPORT_CHARGE_KINDS = ["grid-fee"] as const;

export interface StatementTotals {
  boughtLocalWh: number;
  boughtGridWh: number;
  soldLocalWh: number;
  soldGridWh: number;
  importedWh: number;
  exportedWh: number;
  /** What the imports cost with their charges, in minor units (cents): Home Assistant's "total costs". */
  importCostMinor: number;
  /** What the exports earned, in minor units: Home Assistant's "total compensation". */
  exportCompensationMinor: number;
}

/**
 * The totals of a statement. Money comes from the statement's rounded line amounts
 * (`linesMinor`), so import cost minus export compensation is the statement's total to the
 * cent, whatever the rounding.
 */
export function statementTotals(s: {
  lines: readonly { kind: string; energyWh: number }[];
  linesMinor?: readonly number[];
}): StatementTotals {
  const has = (kinds: readonly string[], kind: string) => kinds.includes(kind);
  const energy = (...kinds: string[]) =>
    s.lines.filter((l) => kinds.includes(l.kind)).reduce((a, l) => a + l.energyWh, 0);
  let importCostMinor = 0;
  let exportCompensationMinor = 0;
  s.lines.forEach((l, i) => {
    const minor = s.linesMinor?.[i] ?? 0;
    if (has(IMPORT_LINE_KINDS, l.kind) || has(IMPORT_CHARGE_KINDS, l.kind)) importCostMinor += minor;
    else if (has(EXPORT_LINE_KINDS, l.kind)) exportCompensationMinor -= minor;
  });
  return {
    boughtLocalWh: energy("local-buy"),
    boughtGridWh: energy("utility-buy", "deviation-buy"),
    soldLocalWh: energy("local-sell"),
    soldGridWh: energy("utility-sell", "deviation-sell"),
    importedWh: energy(...IMPORT_LINE_KINDS),
    exportedWh: energy(...EXPORT_LINE_KINDS),
    importCostMinor,
    exportCompensationMinor,
  };
}
