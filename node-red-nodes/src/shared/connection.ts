import { EventEmitter } from "node:events";
import { HubError, HubRest, LiveFeed } from "@openlem/client";
import {
  type Community,
  type HouseholdTrades,
  type MarketClock,
  marketClock,
  type PriceSignal,
  type SlotResult,
} from "@openlem/protocol";
import type { NodeStatus } from "./red.js";

export interface HubSettings {
  url: string;
  communityId: string;
  householdId: string;
  deviceToken: string;
  /** The broker; default: the hub's own at <url>/mqtt. */
  mqttUrl?: string | undefined;
}

export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "connected" }
  | { kind: "reconnecting" }
  | { kind: "offline"; reason?: string }
  | { kind: "failed"; reason: string };

interface Events {
  state: [ConnectionState];
  price: [PriceSignal];
  result: [SlotResult];
  trades: [HouseholdTrades];
}

/**
 * One hub connection per openlem-hub config node: REST with the household's device token,
 * and one live MQTT feed shared by every node that uses it. The feed starts when the first
 * node listens and stops with the config node. Every node shows the connection's state.
 */
export class HubConnection extends EventEmitter<Events> {
  readonly rest: HubRest;
  private feed: LiveFeed | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;
  private community: Community | undefined;
  state: ConnectionState = { kind: "connecting" };

  constructor(readonly settings: HubSettings) {
    super();
    this.setMaxListeners(100);
    this.rest = new HubRest({
      url: settings.url,
      communityId: settings.communityId,
      householdId: settings.householdId,
      auth: { deviceToken: settings.deviceToken },
      retry: { retries: 2 },
    });
  }

  /**
   * Tells the nodes only of a change: a broker that is away must not redraw every node each
   * second. A refused token (`failed`) stays until the node is deployed again with a new one.
   */
  private setState(s: ConnectionState): void {
    if (this.state.kind === "failed" && s.kind !== "failed") return;
    const same =
      s.kind === this.state.kind &&
      ("reason" in s ? s.reason : undefined) === ("reason" in this.state ? this.state.reason : undefined);
    this.state = s;
    if (!same) this.emit("state", s);
  }

  private identity: Promise<string | null> | undefined;

  /**
   * Whether the token is for the household this config names: a token of another household
   * (or a revoked one) is a mistake to show at once on every node, not to find out from
   * refused orders. Null when it is, or when the hub cannot say now (unreachable: asked again
   * next time). A problem ends in the `failed` state.
   */
  checkIdentity(): Promise<string | null> {
    this.identity ??= this.identityProblem().then((problem) => {
      if (problem) this.setState({ kind: "failed", reason: problem });
      // unknown (the hub away): asked again next time
      if (problem === undefined) this.identity = undefined;
      return problem ?? null;
    });
    return this.identity;
  }

  /** The problem, null when there is none, undefined when the hub could not be asked. */
  private async identityProblem(): Promise<string | null | undefined> {
    try {
      const me = await this.rest.me();
      const { communityId, householdId } = this.settings;
      if (me.kind !== "device") return "the token is a person's, not a device token: make a device token in the hub";
      if (me.scope !== "device")
        return `this is a ${me.scope === "read" ? "read-only" : "Home Assistant"} token: the nodes need the household's device token`;
      if (me.communityId !== communityId || me.householdId !== householdId)
        return `the device token is for household ${me.householdId} in ${me.communityId}, not ${householdId} in ${communityId}`;
      return null;
    } catch (err) {
      return err instanceof HubError && err.refused ? tokenProblem(err) : undefined;
    }
  }

  /**
   * A refusal of the token (401) or of the household (403), met by any node: from then on every
   * node of this hub shows it, in red, with what to do, instead of waiting for the hub.
   */
  refusedBy(err: unknown): boolean {
    if (!(err instanceof HubError) || !err.refused) return false;
    this.setState({ kind: "failed", reason: tokenProblem(err) });
    return true;
  }

  /** Why nothing can be sent to the hub with this token (the `failed` state), or null. */
  get refusal(): string | null {
    return this.state.kind === "failed" ? this.state.reason : null;
  }

  /** Starts the live feed if it is not running yet; failures show as the state, and it retries. */
  live(): void {
    if (this.feed || this.starting || this.closed || this.state.kind === "failed") return;
    this.starting = this.checkIdentity().then((problem) => {
      if (problem) {
        this.starting = undefined;
        return;
      }
      return this.startFeed();
    });
  }

  private startFeed(): Promise<void> {
    return LiveFeed.start(
      this.rest,
      {
        price: (p) => this.emit("price", p),
        result: (r) => this.emit("result", r),
        trades: (t) => this.emit("trades", t),
        connection: (c) =>
          this.setState(
            c === "connected"
              ? { kind: "connected" }
              : c === "refused"
                ? { kind: "failed", reason: TOKEN_REFUSED }
                : { kind: c },
          ),
        error: () => {},
      },
      this.settings.mqttUrl ? { mqttUrl: this.settings.mqttUrl } : {},
    ).then(
      async (feed) => {
        this.starting = undefined;
        if (this.closed) return feed.close();
        this.feed = feed;
        this.setState({ kind: "connected" });
      },
      (err: unknown) => {
        this.starting = undefined;
        // not "failed": that is kept for what a retry cannot mend
        this.setState({ kind: "offline", reason: reasonOf(err) });
        if (!this.closed) setTimeout(() => this.live(), 5_000).unref();
      },
    );
  }

  /** Hub time minus local time at the hub's last answer. */
  private clockOffsetMs: number | null = null;

  /**
   * The hub's market clock: asked, or, while the hub is away, worked out from the last answer
   * and the community's rules (null if it never answered).
   */
  async clock(): Promise<MarketClock | null> {
    try {
      const c = await this.rest.clock();
      this.clockOffsetMs = Date.parse(c.now) - Date.now();
      return c;
    } catch {
      if (this.clockOffsetMs === null || !this.community) return null;
      return marketClock(this.community.id, this.community.market, new Date(Date.now() + this.clockOffsetMs));
    }
  }

  /**
   * The hub's time now: asked, or worked out from its last answer while it is away (even before
   * the community's rules are known); the local time only if the hub never answered.
   */
  async now(): Promise<string> {
    const c = await this.clock();
    return c?.now ?? new Date(Date.now() + (this.clockOffsetMs ?? 0)).toISOString();
  }

  async marketCommunity(): Promise<Community> {
    this.community ??= await this.rest.community();
    return this.community;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    await this.feed?.close();
    this.removeAllListeners();
  }
}

const TOKEN_REFUSED =
  "the hub refused the device token (revoked or mistyped): make a new one for the household in the hub, put it in the openlem-hub node and deploy";

/** A refusal of the token or household in words that say what to do. */
function tokenProblem(err: HubError): string {
  return err.status === 401
    ? TOKEN_REFUSED
    : `the hub refused this household's device token here: ${err.message}; check the openlem-hub node's community and household`;
}

/** What went wrong, in one line (a hub's refusal names each field and rule). */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The connection's state as a node status. */
export function statusOf(s: ConnectionState): NodeStatus {
  switch (s.kind) {
    case "connected":
      return { fill: "green", shape: "dot", text: "connected" };
    case "connecting":
      return { fill: "yellow", shape: "ring", text: "connecting" };
    case "reconnecting":
      return { fill: "yellow", shape: "ring", text: "reconnecting" };
    case "offline":
      return { fill: "red", shape: "ring", text: s.reason ? `offline: ${s.reason}` : "offline" };
    case "failed":
      return { fill: "red", shape: "ring", text: s.reason };
  }
}
