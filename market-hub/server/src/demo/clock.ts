/**
 * A market clock that runs `speed` times faster than real time from the moment it is made, and
 * can be moved forward (never back) to where an earlier run of the hub left the market.
 */
export class AcceleratedClock {
  private base: number;
  private readonly realStart = Date.now();

  constructor(
    readonly speed: number,
    start = Date.now(),
  ) {
    this.base = start;
  }

  now = (): Date => new Date(this.base + (Date.now() - this.realStart) * this.speed);

  /** Moves the clock forward to `ms` if it is behind it. */
  notBefore(ms: number | null): void {
    if (ms === null) return;
    const behind = ms - this.now().getTime();
    if (behind > 0) this.base += behind;
  }
}

/**
 * How often the clearing scheduler looks for closed gates under a clock `speed` times real
 * time: a quarter of a market minute, at least every 50 ms and at most every second, so slots
 * clear at their gate closure and not a tick later.
 */
export function schedulerTickMs(speed: number): number {
  return Math.min(1000, Math.max(50, Math.round(15_000 / speed)));
}
