import { HubError } from "@openlem/client";
import type { ConnectionState, HubConnection } from "./connection.js";
import type { RedNode } from "./red.js";

/**
 * What a flush did: sent (with the hub's answer to each batch), refused for good (with why),
 * or still waiting; `stoppedBy` is why it stopped with items left (the hub away, or the
 * token refused), null when nothing is left.
 */
export interface FlushResult<T, A = void> {
  sent: T[];
  answers: A[];
  refused: { items: T[]; error: unknown }[];
  waiting: number;
  stoppedBy: unknown;
}

/**
 * What a node could not send while the hub was away, kept in the node's context (memory by
 * default; on disk with Node-RED's localfilesystem context store, so it survives a restart)
 * and sent again, oldest first, when the hub answers. Sending twice is harmless: orders carry
 * their clientOrderId and readings their timestamp, so the hub takes each once.
 *
 * What waits: everything the hub could not take because it was away, or because it refused
 * the device token (401): a new token sends it. What is dropped, and said: a batch the hub
 * refused for what it is (400, 403, 409, 422 …), which sending again cannot mend.
 */
export class Outbox<T, A = void> {
  /** Flushes run one after the other, so each item is reported by exactly one of them. */
  private chain: Promise<unknown> = Promise.resolve();
  private running = 0;

  constructor(
    private readonly node: RedNode,
    private readonly key: string,
    /** Sends one batch and gives the hub's answer; throws a HubError when the hub refuses or cannot be reached. */
    private readonly send: (items: T[]) => Promise<A>,
    /** Items per request: readings go together, each message's orders alone (the hub takes a batch whole or not at all). */
    private readonly perRequest = 1_000,
  ) {}

  get items(): T[] {
    const v = this.node.context().get(this.key);
    return Array.isArray(v) ? (v as T[]) : [];
  }

  private set items(v: T[]) {
    this.node.context().set(this.key, v);
  }

  /**
   * Sends what waits every `everyMs` and as soon as the hub connection is back, until the
   * node closes; each flush that sent or dropped something is handed to `onFlushed`.
   */
  keepSending(conn: HubConnection, onFlushed: (r: FlushResult<T, A>) => void, everyMs = 15_000): void {
    const retry = () => {
      // nothing waits, or a flush is under way (it reports what it sends)
      if (this.items.length === 0 || this.running > 0 || conn.refusal) return;
      void this.flush().then((r) => {
        if (r.sent.length || r.refused.length) onFlushed(r);
      });
    };
    const timer = setInterval(retry, everyMs);
    const onState = (st: ConnectionState) => {
      if (st.kind === "connected") retry();
    };
    conn.on("state", onState);
    this.node.on("close", (_removed, done) => {
      clearInterval(timer);
      conn.off("state", onState);
      done();
    });
    retry();
  }

  add(items: T[]): void {
    this.items = [...this.items, ...items];
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
      const batch = this.items.slice(0, this.perRequest);
      if (batch.length === 0) break;
      try {
        out.answers.push(await this.send(batch));
        out.sent.push(...batch);
      } catch (error) {
        if (mustWait(error)) {
          out.stoppedBy = error;
          break;
        }
        out.refused.push({ items: batch, error });
      }
      // what arrived meanwhile stays
      this.items = this.items.slice(batch.length);
    }
    out.waiting = this.items.length;
    return out;
  }
}

/**
 * Whether a failure means "keep it and send it later": the hub away, or the device token
 * refused (a new token mends that). Anything else the hub refused is final.
 */
export function mustWait(err: unknown): boolean {
  return !(err instanceof HubError) || err.unreachable || err.status === 401;
}
