import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import type { FastifyInstance } from "fastify";
import { createWebSocketStream, WebSocketServer } from "ws";
import { principalOf } from "../auth/principal.js";
import type { HubContext } from "../context.js";
import { type MqttIdentity, mayPublish, mayReceive } from "./access.js";

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
 */
export async function startEmbeddedBroker(
  ctx: HubContext,
  opts: { port: number; host: string; app?: FastifyInstance },
): Promise<EmbeddedBroker> {
  const identities = new WeakMap<Client, MqttIdentity>();
  const hubPassword = randomBytes(24).toString("base64url");
  const who = (c: Client | null): MqttIdentity => (c ? (identities.get(c) ?? { kind: "anonymous" }) : { kind: "hub" });
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
      principalOf(ctx, secret).then(
        (p) => {
          if (!p) return done(refuse("the token is invalid, expired or revoked"), false);
          identities.set(
            client,
            p.kind === "device"
              ? { kind: "device", communityId: p.communityId, householdId: p.householdId, readOnly: p.scope === "read" }
              : { kind: "user", operator: p.role === "operator", households: p.households },
          );
          done(null, true);
        },
        () => done(refuse("authentication failed"), false),
      );
    },
    authorizePublish: (client, packet, callback) => {
      callback(mayPublish(who(client), packet.topic) ? null : new Error(`not allowed to publish to ${packet.topic}`));
    },
    authorizeForward: (client, packet) => (mayReceive(who(client), packet.topic) ? packet : null),
  });

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
      for (const c of wss?.clients ?? []) c.terminate();
      wss?.close();
      // aedes first: it drops its clients, after which the TCP server can close.
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
