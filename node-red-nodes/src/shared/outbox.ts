import { HubError } from "@openlem/client";
import type { ConnectionState, HubConnection } from "./connection.js";
import type { RedNode } from "./red.js";

/** What a flush did: sent, refused for good (with why), or still waiting for the hub. */
export interface FlushResult<T> {
  sent: T[];
  refused: { items: T[]; error: unknown }[];
  waiting: number;
}

/**
 * What a node could not send while the hub was away, kept in the node's context (memory by
 * default; on disk with Node-RED's localfilesystem context store, so it survives a restart)
 * and sent again, oldest first, when the hub answers. Sending twice is harmless: orders carry
 * their clientOrderId and readings their timestamp, so the hub takes each once.
 */
export class Outbox<T> {
  private flushing: Promise<FlushResult<T>> | null = null;

  constructor(
    private readonly node: RedNode,
    private readonly key: string,
    /** Sends one batch; throws a HubError when the hub refuses or cannot be reached. */
    private readonly send: (items: T[]) => Promise<void>,
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
   * node closes; each flush that did something is handed to `onFlushed`.
   */
  keepSending(conn: HubConnection, onFlushed: (r: FlushResult<T>) => void, everyMs = 15_000): void {
    const retry = () => {
      if (this.items.length === 0) return;
      void this.flush().then(onFlushed);
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

  /** Sends what waits. A refusal (4xx) drops that batch and says so; an outage keeps it. */
  flush(): Promise<FlushResult<T>> {
    this.flushing ??= this.run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async run(): Promise<FlushResult<T>> {
    const out: FlushResult<T> = { sent: [], refused: [], waiting: 0 };
    for (;;) {
      const batch = this.items.slice(0, this.perRequest);
      if (batch.length === 0) break;
      try {
        await this.send(batch);
        out.sent.push(...batch);
      } catch (error) {
        if (isOutage(error)) break;
        out.refused.push({ items: batch, error });
      }
      // what arrived meanwhile stays
      this.items = this.items.slice(batch.length);
    }
    out.waiting = this.items.length;
    return out;
  }
}

/** Whether a failure means "try again later" rather than "this was refused". */
export function isOutage(err: unknown): boolean {
  return !(err instanceof HubError) || err.unusable;
}
