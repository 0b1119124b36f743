import { HubError } from "./errors.js";

/**
 * The send-later policy, one for every front end (the household loop's readings, the Node-RED
 * order and meter nodes). After the hub did not take a batch:
 * - an outage (no answer, a gateway error, 502 and up) or a refused token or household (401,
 *   403: a new token or config mends it) keeps the batch, to send when the hub answers again;
 * - a refusal that names items (422 with `<field>[i]…`) drops those (the hub keeps what it had)
 *   and sends the rest again;
 * - any other refusal (400, 404, 409, 413, a 422 naming none, a 500) drops the batch: sending it
 *   again cannot mend it.
 */
export function afterFailedSend<T>(
  batch: readonly T[],
  err: unknown,
  /**
   * The request body's list of items, as the hub names them in its errors (`readings`); none
   * where the hub takes a batch whole or not at all (orders).
   */
  field?: string,
): { wait: true } | { wait: false; dropped: T[]; again: T[] } {
  if (!(err instanceof HubError) || err.unusable) return { wait: true };
  const named = new Set(
    err.status === 422 && field
      ? err.errors
          .map((e) => new RegExp(`^${field}\\[(\\d+)\\]`).exec(e.field)?.[1])
          .filter((i): i is string => i !== undefined)
          .map(Number)
      : [],
  );
  if (named.size === 0) return { wait: false, dropped: [...batch], again: [] };
  return {
    wait: false,
    dropped: batch.filter((_, i) => named.has(i)),
    again: batch.filter((_, i) => !named.has(i)),
  };
}

/** Where an outbox keeps what waits: a node's context, a household's memory file. */
export interface OutboxStore<T> {
  get(): T[];
  set(items: T[]): void;
}

/**
 * What a flush did: sent (with the hub's answer to each batch), refused for good (with why), or
 * still waiting; `stoppedBy` is why it stopped with items left (the hub away, or the token
 * refused), null when nothing is left.
 */
export interface FlushResult<T, A = void> {
  sent: T[];
  answers: A[];
  refused: { items: T[]; error: unknown }[];
  waiting: number;
  stoppedBy: unknown;
}

/**
 * What could not be sent to the hub yet, kept in a store and sent again, oldest first, under
 * the one policy (`afterFailedSend`). Sending twice is harmless: orders carry their
 * clientOrderId and readings their timestamp, so the hub takes each once. Flushes run one after
 * the other, so each item is reported by exactly one of them.
 */
export class Outbox<T, A = void> {
  private chain: Promise<unknown> = Promise.resolve();
  private running = 0;

  constructor(
    private readonly o: {
      store: OutboxStore<T>;
      /** Sends one batch and gives the hub's answer; throws a HubError when the hub refuses or cannot be reached. */
      send: (items: T[]) => Promise<A>;
      /** The body's list of items, as the hub names them in its errors; none: a refusal drops the batch. */
      field?: string;
      /** Items per request. */
      perRequest?: number;
      /** At most this many wait; past it the oldest go. */
      max?: number;
    },
  ) {}

  get items(): T[] {
    return this.o.store.get();
  }

  /** A flush is under way. */
  get busy(): boolean {
    return this.running > 0;
  }

  add(items: readonly T[]): void {
    const all = [...this.items, ...items];
    this.o.store.set(this.o.max !== undefined && all.length > this.o.max ? all.slice(all.length - this.o.max) : all);
  }

  /** Sends what waits, after any flush under way; the result is this flush's own. */
  flush(): Promise<FlushResult<T, A>> {
    this.running++;
    const next = this.chain.then(() => this.run());
    this.chain = next.catch(() => undefined);
    return next.finally(() => {
      this.running--;
    });
  }

  private async run(): Promise<FlushResult<T, A>> {
    const out: FlushResult<T, A> = { sent: [], answers: [], refused: [], waiting: 0, stoppedBy: null };
    for (;;) {
      const batch = this.items.slice(0, this.o.perRequest ?? 1_000);
      if (batch.length === 0) break;
      let again: T[] = [];
      try {
        out.answers.push(await this.o.send(batch));
        out.sent.push(...batch);
      } catch (error) {
        const v = afterFailedSend(batch, error, this.o.field);
        if (v.wait) {
          out.stoppedBy = error;
          break;
        }
        out.refused.push({ items: v.dropped, error });
        again = v.again;
      }
      // what arrived meanwhile stays, after what goes again
      this.o.store.set([...again, ...this.items.slice(batch.length)]);
      if (again.length === batch.length) break;
    }
    out.waiting = this.items.length;
    return out;
  }
}
