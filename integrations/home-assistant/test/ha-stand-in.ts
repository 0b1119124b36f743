import { createServer, type Server } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * STAND-IN for Home Assistant (not Home Assistant itself): a websocket server that speaks the
 * part of Home Assistant's documented websocket API the bridge uses, so the real
 * home-assistant-js-websocket client can talk to it. Message shapes as documented at
 * https://developers.home-assistant.io/docs/api/websocket:
 * - "Authentication phase": `auth_required` → `auth` → `auth_ok` / `auth_invalid`;
 * - "Command phase": every command carries an `id`, answered by `result` with `success` and
 *   `result`, or `error: { code, message }`;
 * - `supported_features` (sent first by the client), `get_states`, `subscribe_events`,
 *   `subscribe_entities` (the compressed state format the frontend uses: `a` add, `c` change
 *   with `+`, `r` remove; as home-assistant-js-websocket's entities.ts reads it),
 *   `call_service` (domain, service, service_data, target), `ping` → `pong`.
 */
export class HomeAssistantStandIn {
  readonly calls: { domain: string; service: string; entity_id: string; data: Record<string, unknown> }[] = [];
  private readonly states = new Map<string, { state: string; attributes: Record<string, unknown> }>();
  private readonly entitySubs = new Set<{ ws: WebSocket; id: number }>();
  private server!: Server;
  private wss!: WebSocketServer;
  url = "";

  constructor(readonly token: string) {}

  async start(port = 0): Promise<void> {
    this.server = createServer();
    this.wss = new WebSocketServer({ server: this.server, path: "/api/websocket" });
    this.wss.on("connection", (ws) => this.session(ws));
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** An entity's state as Home Assistant would show it now. */
  state(entityId: string): string | undefined {
    return this.states.get(entityId)?.state;
  }

  set(entityId: string, state: string, attributes: Record<string, unknown> = {}): void {
    const had = this.states.has(entityId);
    const prev = this.states.get(entityId);
    const attrs = { ...(prev?.attributes ?? {}), ...attributes };
    this.states.set(entityId, { state, attributes: attrs });
    const lc = Date.now() / 1000;
    const event = had
      ? { c: { [entityId]: { "+": { s: state, a: attributes, lc } } } }
      : { a: { [entityId]: { s: state, a: attrs, c: "stand-in", lc } } };
    for (const sub of this.entitySubs) sub.ws.send(JSON.stringify({ id: sub.id, type: "event", event }));
  }

  get(entityId: string): string | undefined {
    return this.states.get(entityId)?.state;
  }

  /** Home Assistant restarting: every connection drops. */
  dropConnections(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.entitySubs.clear();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((r) => this.wss.close(() => r()));
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private session(ws: WebSocket): void {
    let authed = false;
    const send = (m: unknown) => ws.send(JSON.stringify(m));
    send({ type: "auth_required", ha_version: "2025.10.0" });
    ws.on("close", () => {
      for (const s of this.entitySubs) if (s.ws === ws) this.entitySubs.delete(s);
    });
    ws.on("message", (raw) => {
      const msg = JSON.parse(raw.toString()) as Record<string, unknown>;
      if (!authed) {
        if (msg.type === "auth" && msg.access_token === this.token) {
          authed = true;
          send({ type: "auth_ok", ha_version: "2025.10.0" });
        } else {
          send({ type: "auth_invalid", message: "Invalid access token or password" });
          ws.close();
        }
        return;
      }
      const id = msg.id as number;
      const ok = (result: unknown = null) => send({ id, type: "result", success: true, result });
      const fail = (code: string, message: string) =>
        send({ id, type: "result", success: false, error: { code, message } });
      switch (msg.type) {
        case "supported_features":
        case "subscribe_events":
          return ok();
        case "ping":
          return send({ id, type: "pong" });
        case "get_states":
          return ok(
            [...this.states].map(([entity_id, s]) => ({ entity_id, ...s, last_changed: new Date().toISOString() })),
          );
        case "subscribe_entities": {
          ok();
          this.entitySubs.add({ ws, id });
          const a = Object.fromEntries(
            [...this.states].map(([e, s]) => [
              e,
              { s: s.state, a: s.attributes, c: "stand-in", lc: Date.now() / 1000 },
            ]),
          );
          return send({ id, type: "event", event: { a } });
        }
        case "call_service": {
          const target = (msg.target ?? {}) as { entity_id?: string | string[] };
          const ids = Array.isArray(target.entity_id) ? target.entity_id : target.entity_id ? [target.entity_id] : [];
          const data = (msg.service_data ?? {}) as Record<string, unknown>;
          for (const entity_id of ids) {
            if (!this.states.has(entity_id)) return fail("not_found", `Entity ${entity_id} not found`);
            this.calls.push({ domain: String(msg.domain), service: String(msg.service), entity_id, data });
            if (msg.service === "turn_on") this.set(entity_id, "on");
            if (msg.service === "turn_off") this.set(entity_id, "off");
            if (msg.service === "set_value") this.set(entity_id, String(data.value));
          }
          return ok({ context: { id: "stand-in" } });
        }
        default:
          return fail("unknown_command", `Unknown command ${String(msg.type)}`);
      }
    });
  }
}
