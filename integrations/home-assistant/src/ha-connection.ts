import {
  type Connection,
  callService,
  createConnection,
  createLongLivedTokenAuth,
  ERR_CANNOT_CONNECT,
  ERR_INVALID_AUTH,
  type HassEntities,
  subscribeEntities,
} from "home-assistant-js-websocket";
import WebSocket from "ws";

// home-assistant-js-websocket speaks through the global WebSocket, which Node 20 does not have
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export class HaError extends Error {}

/**
 * Home Assistant over its websocket API with a long-lived access token: the entities' states
 * kept current (`subscribe_entities`), service calls, and reconnects after a restart of Home
 * Assistant (the library retries; the bridge hears `disconnected` and `ready`).
 */
export class HaConnection {
  states: HassEntities = {};
  private unsubscribe: (() => void) | undefined;
  private firstStates: Promise<void>;
  private gotStates!: () => void;

  /** Called after every change of an entity's state (the bridge's safety supervisor listens). */
  onStates: (() => void) | undefined;

  private constructor(
    readonly conn: Connection,
    onState: (connected: boolean) => void,
  ) {
    this.firstStates = new Promise((r) => {
      this.gotStates = r;
    });
    this.unsubscribe = subscribeEntities(conn, (s) => {
      this.states = s;
      this.gotStates();
      this.onStates?.();
    });
    conn.addEventListener("disconnected", () => onState(false));
    conn.addEventListener("ready", () => onState(true));
  }

  static async connect(
    url: string,
    token: string,
    onState: (connected: boolean) => void = () => {},
  ): Promise<HaConnection> {
    try {
      const auth = createLongLivedTokenAuth(url.replace(/\/$/, ""), token);
      const conn = await createConnection({ auth, setupRetry: 3 });
      const ha = new HaConnection(conn, onState);
      await ha.firstStates;
      return ha;
    } catch (err) {
      if (err === ERR_INVALID_AUTH)
        throw new HaError(
          `Home Assistant at ${url} refused the access token: make a long-lived access token (your profile > Security) and put it in homeAssistant.token`,
        );
      if (err === ERR_CANNOT_CONNECT)
        throw new HaError(`cannot reach Home Assistant at ${url}: is it running, and is the URL right?`);
      throw err;
    }
  }

  state(entityId: string): string | undefined {
    return this.states[entityId]?.state;
  }

  number(entityId: string): number | null {
    const s = this.state(entityId);
    if (s === undefined || s === "unavailable" || s === "unknown" || s === "") return null;
    const n = Number(s);
    return Number.isFinite(n) ? n : null;
  }

  async call(domain: string, service: string, entityId: string, data?: Record<string, unknown>): Promise<void> {
    await callService(this.conn, domain, service, data, { entity_id: entityId });
  }

  close(): void {
    this.unsubscribe?.();
    this.conn.close();
  }
}
