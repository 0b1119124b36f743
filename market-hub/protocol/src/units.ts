/**
 * Units and exact arithmetic shared by every OpenLEM package.
 *
 * On the wire prices are decimal numbers in currency per kWh (0.22 = 22 ct/kWh).
 * Inside, everything is an integer so that totals reconcile to the last unit:
 * - energy: watt-hours (Wh);
 * - price: ticks of 0.00001 currency per kWh (0.01 per MWh, the tick size of
 *   European power exchanges), so 0.22/kWh = 22,000 ticks;
 * - money: units of 10^-8 currency. One tick times one Wh is exactly one money
 *   unit (10^-5 /kWh x 10^-3 kWh), so price x energy never rounds.
 */

/** Ticks per currency unit per kWh. */
export const TICKS_PER_CURRENCY_PER_KWH = 100_000;
/** Money units per currency unit. */
export const MONEY_UNITS_PER_CURRENCY = 100_000_000;
/** Largest absolute price accepted anywhere: 100 currency per kWh. */
export const MAX_ABS_PRICE_TICKS = 100 * TICKS_PER_CURRENCY_PER_KWH;
/** Largest energy in one order, step or reading register delta: 1 GWh. */
export const MAX_ORDER_WH = 1_000_000_000;

export type Wh = number;
export type PriceTicks = number;
export type MoneyUnits = number;

/** True when a decimal price is a whole number of ticks (tolerating binary floating-point noise). */
export function isTickAligned(price: number): boolean {
  if (!Number.isFinite(price)) return false;
  const scaled = price * TICKS_PER_CURRENCY_PER_KWH;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

/** Converts a wire price (currency/kWh) to integer ticks; throws when it has more than 5 decimals. */
export function priceToTicks(price: number): PriceTicks {
  if (!isTickAligned(price)) {
    throw new RangeError(`price ${price} has more than 5 decimal places (the tick is 0.00001 per kWh)`);
  }
  return Math.round(price * TICKS_PER_CURRENCY_PER_KWH) + 0;
}

/** Converts integer ticks back to a wire price (currency/kWh). */
export function ticksToPrice(ticks: PriceTicks): number {
  return ticks / TICKS_PER_CURRENCY_PER_KWH + 0;
}

/** Exact cost of `wh` at `ticks`; throws if the product leaves the safe-integer range. */
export function moneyOf(ticks: PriceTicks, wh: Wh): MoneyUnits {
  const amount = ticks * wh;
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`amount ${ticks} ticks x ${wh} Wh is outside the exact integer range`);
  }
  return amount + 0;
}

/** Adds money exactly, refusing to lose precision silently. */
export function addMoney(a: MoneyUnits, b: MoneyUnits): MoneyUnits {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError(`money sum ${a} + ${b} is outside the exact integer range`);
  return sum;
}

export const MONEY_PATTERN = /^-?\d{1,10}\.\d{8}$/;

/** Money on the wire: a decimal string with exactly 8 decimals ("-12.34000000"), exact in any JSON parser. */
export function formatMoney(units: MoneyUnits): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`money ${units} is not a safe integer`);
  const negative = units < 0;
  const abs = Math.abs(units);
  const whole = Math.floor(abs / MONEY_UNITS_PER_CURRENCY);
  const frac = abs % MONEY_UNITS_PER_CURRENCY;
  return `${negative ? "-" : ""}${whole}.${String(frac).padStart(8, "0")}`;
}

export function parseMoney(value: string): MoneyUnits {
  if (!MONEY_PATTERN.test(value)) {
    throw new RangeError(`"${value}" is not money: a decimal string with exactly 8 decimals, e.g. "1.25000000"`);
  }
  const negative = value.startsWith("-");
  const [whole = "0", frac = "0"] = value.replace("-", "").split(".");
  const units = Number(whole) * MONEY_UNITS_PER_CURRENCY + Number(frac);
  if (!Number.isSafeInteger(units)) throw new RangeError(`"${value}" is outside the exact integer range`);
  return negative ? -units : units;
}

/**
 * Rounds money units to the currency's minor unit (cents for 2 decimals) half to even,
 * the banker's rule, so that rounding errors do not drift one way over many statements.
 */
export function toMinorUnits(units: MoneyUnits, minorDigits = 2): number {
  const per = MONEY_UNITS_PER_CURRENCY / 10 ** minorDigits;
  const q = Math.floor(units / per);
  const r = units - q * per;
  const twice = 2 * r;
  if (twice > per) return q + 1;
  if (twice < per) return q + 0;
  return q % 2 === 0 ? q + 0 : q + 1;
}

/**
 * Rounds a list of exact amounts to minor units so that the rounded parts add up to the
 * rounded total (largest-remainder method; ties go to the earlier item). Used for
 * statements, where every printed line must sum to the printed total.
 */
export function roundPartsToMinor(amounts: readonly MoneyUnits[], minorDigits = 2): number[] {
  const per = MONEY_UNITS_PER_CURRENCY / 10 ** minorDigits;
  const total = amounts.reduce((s, a) => addMoney(s, a), 0);
  const target = toMinorUnits(total, minorDigits);
  const floors = amounts.map((a) => Math.floor(a / per));
  let missing = target - floors.reduce((s, f) => s + f, 0);
  const order = amounts
    .map((a, i) => ({ i, rem: a - (floors[i] ?? 0) * per }))
    .sort((x, y) => y.rem - x.rem || x.i - y.i);
  const out = [...floors];
  // missing lies in [0, n]: every remainder is below one minor unit and the target is the rounded total.
  for (let k = 0; missing > 0 && k < order.length; k++, missing--) {
    const item = order[k];
    if (item) out[item.i] = (out[item.i] ?? 0) + 1;
  }
  return out;
}

/** Average power in W over a slot for an energy in Wh. */
export function averagePowerW(wh: Wh, slotMinutes: number): number {
  return Math.round((wh * 60) / slotMinutes);
}
