/** A clock that runs `speed` times faster than real time from the moment it is made. */
export function acceleratedClock(speed: number, start = Date.now()): () => Date {
  const realStart = Date.now();
  return () => new Date(start + (Date.now() - realStart) * speed);
}

/**
 * How often the clearing scheduler looks for closed gates under a clock `speed` times real
 * time: a quarter of a market minute, at least every 50 ms and at most every second, so slots
 * clear at their gate closure and not a tick later.
 */
export function schedulerTickMs(speed: number): number {
  return Math.min(1000, Math.max(50, Math.round(15_000 / speed)));
}
