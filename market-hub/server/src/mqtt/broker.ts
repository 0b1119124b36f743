import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import type { FastifyInstance } from "fastify";
import { createWebSocketStream, WebSocketServer } from "ws";
import { type Principal, principalOf } from "../auth/principal.js";
import { onRevocation } from "../auth/revocations.js";
import { verifyAccessToken } from "../auth/tokens.js";
import type { HubContext } from "../context.js";
import { isOfflineWill, type MqttIdentity, mayPublish, mayReceive } from "./access.js";

export const HUB_MQTT_USER = "openlem-hub";

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port>, for the hub's own connections. */
  url: string;
  port: number;
  /** The hub's own credentials on this broker (a fresh secret per process). */
  hubCredentials: { username: string; password: string };
  close(): Promise<void>;
}

/**
 * The embedded broker (aedes) for laptops and small communities: TCP on `port` and MQTT over
 * WebSocket at /mqtt on the hub's HTTP server. Devices log in with their device token as the
 * password, people with an access token; without credentials a client may read the public
 * topics only. Access rules: ./access.ts.
 *
 * A session's rights end with its token: a device token revoked or an access token expired or
 * logged out stops the client publishing and receiving at once (every publish checks the token
 * again, every delivery checks what was last known of it, and a revocation in this process
 * re-checks every client), and the client is disconnected. Revocations made by another hub
 * process are found by the periodic re-check (`recheckMs`).
 */
export async function startEmbeddedBroker(
  ctx: HubContext,
  opts: { port: number; host: string; app?: FastifyInstance; recheckMs?: number },
): Promise<EmbeddedBroker> {
  const identities = new WeakMap<Client, MqttIdentity>();
  /** What each logged-in client's rights rest on: its token, and when an access token expires. */
  const sessions = new Map<Client, { secret: string; expiresAtMs: number | null; ended: boolean }>();
  const hubPassword = randomBytes(24).toString("base64url");
  const ended = (c: Client): boolean => {
    const s = sessions.get(c);
    if (!s) return false;
    if (!s.ended && s.expiresAtMs !== null && ctx.wallNow().getTime() >= s.expiresAtMs) s.ended = true;
    return s.ended;
  };
  const end = (c: Client) => {
    const s = sessions.get(c);
    if (s) s.ended = true;
    // after the current packet: closing inside aedes's own callbacks would re-enter it
    setImmediate(() => c.close());
  };
  // a client whose token ended has no rights left, not even an anonymous one's
  const who = (c: Client | null): MqttIdentity | null =>
    c ? (ended(c) ? null : (identities.get(c) ?? { kind: "anonymous" })) : { kind: "hub" };
  const identityOf = (p: Principal): MqttIdentity =>
    p.kind === "device"
      ? { kind: "device", communityId: p.communityId, householdId: p.householdId, scope: p.scope }
      : { kind: "user", operator: p.role === "operator", households: p.households };
  const recheck = async () => {
    for (const [client, s] of sessions) {
      if (s.ended) continue;
      // an access token past its expiry: the socket closes now, not at its next message
      if (ended(client)) {
        end(client);
        continue;
      }
      const p = await principalOf(ctx, s.secret).catch(() => undefined);
      if (p === null) end(client);
      else if (p) identities.set(client, identityOf(p));
    }
  };
  /** Closes a session when its access token expires (the periodic re-check catches a moved clock). */
  const closeAtExpiry = (client: Client, expiresAtMs: number) => {
    const check = () => {
      if (!sessions.has(client)) return;
      if (ended(client)) return end(client);
      setTimeout(check, Math.max(1000, expiresAtMs - ctx.wallNow().getTime())).unref();
    };
    setTimeout(check, Math.max(0, expiresAtMs - ctx.wallNow().getTime())).unref();
  };
  const refuse = (message: string): AuthenticateError =>
    Object.assign(new Error(message), { returnCode: 4 as AuthenticateError["returnCode"] });

  const aedes = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const secret = password?.toString("utf8");
      if (!secret) {
        identities.set(client, { kind: "anonymous" });
        return done(null, true);
      }
      if (username === HUB_MQTT_USER) {
        if (secret !== hubPassword) return done(refuse("bad hub credentials"), false);
        identities.set(client, { kind: "hub" });
        return done(null, true);
      }
      Promise.all([principalOf(ctx, secret), verifyAccessToken(ctx.key, secret, ctx.wallNow())]).then(
        ([p, claims]) => {
          if (!p) return done(refuse("the token is invalid, expired or revoked"), false);
          identities.set(client, identityOf(p));
          sessions.set(client, { secret, expiresAtMs: claims?.expiresAtMs ?? null, ended: false });
          if (claims) closeAtExpiry(client, claims.expiresAtMs);
          done(null, true);
        },
        () => done(refuse("authentication failed"), false),
      );
    },
    authorizePublish: (client, packet, callback) => {
      const refused = () => callback(new Error(`not allowed to publish to ${packet.topic}`));
      // aedes hands a dropped client's last will through here too: "offline" on its own bridge's
      // availability goes out even when the token just ended (harmless from a live client, too)
      const last = client ? identities.get(client) : undefined;
      if (last && isOfflineWill(last, packet.topic, packet.payload)) return callback(null);
      const s = client ? sessions.get(client) : undefined;
      if (!client || !s) {
        const w = who(client);
        return w && mayPublish(w, packet.topic, packet.retain) ? callback(null) : refused();
      }
      // every publish of a logged-in client checks its token again: revoked or expired, it ends here
      principalOf(ctx, s.secret).then(
        (p) => {
          if (!p || ended(client)) {
            end(client);
            return refused();
          }
          identities.set(client, identityOf(p));
          const w = who(client);
          return w && mayPublish(w, packet.topic, packet.retain) ? callback(null) : refused();
        },
        () => refused(),
      );
    },
    authorizeForward: (client, packet) => {
      const w = who(client);
      if (w === null && client) end(client);
      return w && mayReceive(w, packet.topic) ? packet : null;
    },
  });
  aedes.on("clientDisconnect", (client) => {
    sessions.delete(client);
  });
  const stopListening = onRevocation(() => void recheck());
  const timer = setInterval(() => void recheck(), opts.recheckMs ?? 30_000);
  timer.unref();

  const tcp: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(opts.port, opts.host, () => resolve());
  });
  const address = tcp.address();
  const port = typeof address === "object" && address ? address.port : opts.port;

  let wss: WebSocketServer | undefined;
  if (opts.app) {
    wss = new WebSocketServer({ noServer: true });
    opts.app.server.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/mqtt")) return;
      wss?.handleUpgrade(req, socket, head, (ws) => aedes.handle(createWebSocketStream(ws), req));
    });
  }

  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    hubCredentials: { username: HUB_MQTT_USER, password: hubPassword },
    close: async () => {
      stopListening();
      clearInterval(timer);
      for (const c of wss?.clients ?? []) c.terminate();
      wss?.close();
      // aedes first: it drops its clients, after which the TCP server can close.
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
