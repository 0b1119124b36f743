import { HubError, type HubRest } from "@openlem/client";
import type { Community } from "@openlem/protocol";

/** Why the devices are under local control, in words a household understands. */
export function hubProblem(err: unknown): string {
  if (err instanceof HubError) {
    if (err.unreachable) return `hub unreachable (${err.message})`;
    if (err.status === 401) return "the hub refused the device token (revoked or mistyped): make a new one in the hub";
    if (err.status === 403) return `the device token may not act for this household: ${err.message}`;
    if (err.status === 404) return `the hub does not know this community or household: ${err.message}`;
    return `the hub refused: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A household the hub refused is asked again once a minute, not every tick. */
const ASK_REFUSED_AGAIN_MS = 60_000;

export interface HubLinkOptions {
  hub: HubRest | null;
  /** Why there is no hub (default "no hub configured"). */
  noHubReason?: string | undefined;
  /** Local time (default Date.now). */
  now?: (() => number) | undefined;
  /** The hub answered (reachable) or the reason the devices are under local control changed. */
  onChange: (e: { reachable: true } | { reachable: false; reason: string }) => void;
}

/**
 * The household's view of its hub: the community, the hub's clock (followed while the hub is
 * away), and whether the hub can be used: unreachable, or this household's token refused. A
 * refused token stays refused until the hub takes a bid again (or, for a 401, the clock answers).
 */
export class HubLink {
  community: Community | undefined;
  private down: string | null = null;
  private refused: string | null = null;
  private refusedStatus = 0;
  private refusedAtMs = 0;
  private shown: string | null = null;
  /** Hub time minus local time at the last answer. */
  private clockOffsetMs: number | null = null;

  constructor(private readonly o: HubLinkOptions) {
    if (!o.hub) this.down = this.shown = o.noHubReason || "no hub configured";
  }

  get hub(): HubRest | null {
    return this.o.hub;
  }

  /** Why the hub cannot be used now, or null. */
  get problem(): string | null {
    return this.down ?? this.refused;
  }

  /** The hub did not answer the last time (its outages stop sending, a refusal does not). */
  get unreachable(): boolean {
    return this.down !== null;
  }

  /** The hub refused this household less than a minute ago: do not ask it again yet. */
  get refusedRecently(): boolean {
    return this.refused !== null && this.localNow() - this.refusedAtMs < ASK_REFUSED_AGAIN_MS;
  }

  localNow(): number {
    return (this.o.now ?? Date.now)();
  }

  /** The hub's time as best known without asking it; null before it ever answered. */
  estimatedNow(): number | null {
    if (this.clockOffsetMs !== null) return this.localNow() + this.clockOffsetMs;
    return this.o.now || !this.o.hub ? this.localNow() : null;
  }

  /** The hub took something for this household: a refusal from before is over. */
  accepted(): void {
    this.set(this.down, null);
  }

  /** How a hub failure changes who steers: unreachable, or a token refused (401/403). */
  failed(err: unknown): void {
    if (!(err instanceof HubError)) return;
    if (err.unreachable) this.set(hubProblem(err));
    else if (err.refused) {
      this.refusedAtMs = this.localNow();
      this.refusedStatus = err.status;
      this.set(this.down, hubProblem(err));
    }
  }

  /** The community and the hub's clock; without an answer, the estimate and no open slot. */
  async ask(): Promise<{ now: number; nextOpenMs: number | null }> {
    const local = this.localNow();
    const hub = this.o.hub;
    if (!hub) return { now: this.estimatedNow() ?? local, nextOpenMs: null };
    try {
      this.community ??= await hub.community();
      const clock = await hub.clock();
      const now = Date.parse(clock.now);
      this.clockOffsetMs = now - local;
      // the clock needs a valid token: a 401 from before is over; a 403 (household) is not
      this.set(null, this.refusedStatus === 401 ? null : this.refused);
      return { now, nextOpenMs: Date.parse(clock.nextOpenSlot) };
    } catch (err) {
      if (err instanceof HubError && err.refused) this.failed(err);
      else this.set(hubProblem(err));
      return { now: local + (this.clockOffsetMs ?? 0), nextOpenMs: null };
    }
  }

  private set(down: string | null, refused: string | null = this.refused): void {
    this.down = down;
    this.refused = refused;
    const why = this.problem;
    if (why === this.shown) return;
    this.shown = why;
    this.o.onChange(why ? { reachable: false, reason: why } : { reachable: true });
  }
}
