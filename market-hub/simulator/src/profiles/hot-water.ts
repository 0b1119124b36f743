/** Heat-led CHP: its share of full output by day of year, full in winter, mostly off in summer. */
export function chpShare(dayOfYear: number): number {
  return Math.min(1, Math.max(0, 0.55 + 0.6 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365)));
}
