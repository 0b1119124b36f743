import { afterFailedSend, type FlushResult, Outbox as HubOutbox } from "@openlem/client";
import type { ConnectionState, HubConnection } from "./connection.js";
import type { RedNode } from "./red.js";

export type { FlushResult };

/**
 * What a node could not send while the hub was away, kept in the node's context (memory by
 * default; on disk with Node-RED's localfilesystem context store, so it survives a restart)
 * and sent again, oldest first, when the hub answers, under the client's one send-later policy
 * (`afterFailedSend` in @openlem/client: an outage or a refused token waits, a refusal drops
 * what it names, or the batch).
 */
export class Outbox<T, A = void> {
  private readonly box: HubOutbox<T, A>;

  constructor(
    private readonly node: RedNode,
    key: string,
    /** Sends one batch and gives the hub's answer; throws a HubError when the hub refuses or cannot be reached. */
    send: (items: T[]) => Promise<A>,
    /** Items per request: readings go together, each message's orders alone (the hub takes a batch whole or not at all). */
    perRequest = 1_000,
    /** The body's list of items as the hub names them in a refusal (readings); none for orders. */
    field?: string,
  ) {
    this.box = new HubOutbox<T, A>({
      store: {
        get: () => {
          const v = node.context().get(key);
          return Array.isArray(v) ? (v as T[]) : [];
        },
        set: (v) => node.context().set(key, v),
      },
      send,
      perRequest,
      ...(field ? { field } : {}),
    });
  }

  get items(): T[] {
    return this.box.items;
  }

  /**
   * Sends what waits every `everyMs` and as soon as the hub connection is back, until the
   * node closes; each flush that sent or dropped something is handed to `onFlushed`.
   */
  keepSending(conn: HubConnection, onFlushed: (r: FlushResult<T, A>) => void, everyMs = 15_000): void {
    const retry = () => {
      // nothing waits, or a flush is under way (it reports what it sends)
      if (this.items.length === 0 || this.box.busy || conn.refusal) return;
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
    this.box.add(items);
  }

  /** Sends what waits, after any flush under way; the result is this flush's own. */
  flush(): Promise<FlushResult<T, A>> {
    return this.box.flush();
  }
}

/** Whether a failure means "keep it and send it later" (the one policy: @openlem/client's afterFailedSend). */
export function mustWait(err: unknown): boolean {
  return afterFailedSend([], err).wait;
}
