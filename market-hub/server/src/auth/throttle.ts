/**
 * Growing delays for guesses (passwords, PINs): the first `free` attempts of a key go through,
 * each further one waits twice as long as the one before, up to `maxMs`. An attempt counts the
 * moment it starts, so forty guesses sent at once do not all get through before the first one
 * fails; a success clears the key. Kept in memory per hub process (bounded to `maxKeys`).
 */
export class Throttle {
  private readonly keys = new Map<string, { attempts: number; lastMs: number }>();

  constructor(
    private readonly o: {
      free: number;
      baseMs: number;
      maxMs: number;
      now: () => number;
      maxKeys?: number;
    },
  ) {}

  /** How long the key must wait before its next attempt (ms); 0: it may try now. */
  waitMs(key: string): number {
    const k = this.keys.get(key);
    if (!k) return 0;
    const since = this.o.now() - k.lastMs;
    // forgotten after a quiet spell twice the longest delay
    if (since > 2 * this.o.maxMs) {
      this.keys.delete(key);
      return 0;
    }
    return Math.max(0, this.delayAfter(k.attempts) - since);
  }

  /** The delay due after `attempts` failed attempts. */
  delayAfter(attempts: number): number {
    if (attempts < this.o.free) return 0;
    return Math.min(this.o.maxMs, this.o.baseMs * 2 ** (attempts - this.o.free));
  }

  /** An attempt starts: it counts as a failure until `succeeded`. */
  attempt(key: string): void {
    const k = this.keys.get(key) ?? { attempts: 0, lastMs: 0 };
    k.attempts++;
    k.lastMs = this.o.now();
    this.keys.delete(key);
    this.keys.set(key, k);
    if (this.keys.size > (this.o.maxKeys ?? 100_000)) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
  }

  succeeded(key: string): void {
    this.keys.delete(key);
  }
}

/** "try again in 2 minutes" for a wait in ms. */
export function inWords(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.ceil(s / 60)} minutes`;
}
