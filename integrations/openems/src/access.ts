import { z } from "zod";
import type { EdgeBridgeConfig } from "./config.js";
import { CHANNELS } from "./devices.js";
import { EdgeError, type EdgeRest } from "./edge-rest.js";
import { judgeSchedule } from "./schedule.js";

/** What the Edge lets the bridge do, found out at start. */
export interface EdgeAccess {
  /** In words: the credentials' role as far as the Edge shows it. */
  role: string;
  /** The REST controller at the bridge's URL, whose API worker holds the set-point. */
  controllerId: string;
  /** How that controller was told from the others. */
  controllerFrom: "edge.controller" | "port" | "the only one" | "assumed";
  /** Its API timeout (s), from the Edge's config or, where the Edge does not say, the bridge's config. */
  apiTimeoutSeconds: number;
  /** Whether the Edge itself said the timeout (getEdgeConfig), or the config assumed it. */
  timeoutFrom: "edge" | "config";
  /** How often the set-point is posted again (ms): well inside the API timeout. */
  renewMs: number;
  /**
   * Whether the bridge steers the battery. It does not (it reads and bids only) when its REST
   * controller would run before one of the Edge's safety controllers, or never runs, or the
   * order cannot be known: `why` says which and how to order the scheduler.
   */
  steer: boolean;
  why?: string;
  /** Controllers that steer the battery themselves and run before the bridge's. */
  warnings: string[];
  /** The controllers in the order the Edge runs them. */
  order: string[];
  /**
   * A hybrid battery (HybridEss: GoodWe, KACO hybrid, …): its set-point is AC-side and
   * includes the DC charger's PV, so the bridge plans and judges the battery's own power
   * (`DcDischargePower`) and posts it plus the DC-PV. Null for an AC battery.
   */
  hybrid: { factoryId: string } | null;
}

const EdgeConfig = z.object({
  components: z.record(
    z.string(),
    z.object({ factoryId: z.string(), properties: z.record(z.string(), z.unknown()).optional() }),
  ),
  factories: z.record(z.string(), z.object({ natureIds: z.array(z.string()).optional() })).optional(),
});
type Components = z.infer<typeof EdgeConfig>["components"];

const HYBRID_NATURE = "io.openems.edge.ess.api.HybridEss";
const REST_READ_WRITE = "Controller.Api.Rest.ReadWrite";

/** Renewals per API timeout: one lost renewal still leaves the set-point standing. */
const RENEWALS_PER_TIMEOUT = 3;
const MIN_RENEW_MS = 500;

/**
 * The renewal interval for an API timeout: the configured one, or shorter where the Edge's
 * timeout would otherwise drop the set-point between two renewals (it flaps). A timeout of 0
 * never drops it, so a bridge that dies would leave the battery on its last set-point, outside
 * the state-of-charge window the bridge keeps: that is refused.
 */
export function renewInterval(renewSeconds: number, apiTimeoutSeconds: number, controllerId: string): number {
  if (apiTimeoutSeconds <= 0)
    throw new EdgeError(
      `the Edge's REST controller ${controllerId} has Api-Timeout 0, so a set-point never expires: should this` +
        " bridge stop unexpectedly, the battery would keep its last set-point past its state-of-charge limits." +
        " Set Api-Timeout to 60 s in the controller's settings on the Edge",
    );
  return Math.max(
    MIN_RENEW_MS,
    Math.min(renewSeconds * 1000, Math.floor((apiTimeoutSeconds * 1000) / RENEWALS_PER_TIMEOUT)),
  );
}

/** The port a URL reaches (its own, or the scheme's). */
function portOf(url: string): number {
  const u = new URL(url);
  return Number(u.port || (u.protocol === "https:" ? 443 : 80));
}

/**
 * The REST controller the bridge talks to: the one `edge.controller` names, else the one
 * listening on the URL's port, else the only Read-Write one. Every property (API timeout,
 * log) is taken from it, not from another client's controller.
 */
export function pickController(
  components: Components | null,
  url: string,
  named: string | undefined,
): { id: string; from: EdgeAccess["controllerFrom"]; apiTimeout?: number } {
  const rest = Object.entries(components ?? {}).filter(([, c]) => c.factoryId === REST_READ_WRITE);
  const timeoutOf = (id: string) => {
    const t = components?.[id]?.properties?.apiTimeout;
    return typeof t === "number" ? t : undefined;
  };
  if (named) {
    if (components && !rest.some(([id]) => id === named))
      throw new EdgeError(
        `edge.controller names ${named}, but the Edge's Read-Write REST controllers are ${rest.map(([id]) => id).join(", ") || "none"}`,
      );
    return { id: named, from: "edge.controller", apiTimeout: timeoutOf(named) };
  }
  const port = portOf(url);
  const onPort = rest.filter(([, c]) => Number(c.properties?.port) === port);
  if (onPort.length === 1 && onPort[0]) return { id: onPort[0][0], from: "port", apiTimeout: timeoutOf(onPort[0][0]) };
  if (rest.length === 1 && rest[0]) return { id: rest[0][0], from: "the only one", apiTimeout: timeoutOf(rest[0][0]) };
  if (rest.length > 1)
    throw new EdgeError(
      `the Edge has several Read-Write REST controllers (${rest
        .map(([id, c]) => `${id} on port ${String(c.properties?.port ?? "?")}`)
        .join(", ")}) and none on port ${port} of edge.url: name the bridge's in edge.controller`,
    );
  return { id: "ctrlApiRest0", from: "assumed" };
}

/**
 * Finds out at start what the credentials may do: a read (any role), the Edge's config over
 * JSON-RPC (owner or higher; it names the REST controllers, the schedulers and the battery's
 * kind), and a release of the battery's set-point (`null`, harmless: it hands the battery to
 * the Edge's own controllers, which is where it is before the bridge takes over). A guest, a
 * read-only controller or a battery that takes no set-point is refused here with what to do,
 * before the bridge steers anything; a scheduler that would run the bridge's set-point before
 * the Edge's safety controllers leaves the bridge reading and bidding only.
 */
export async function checkAccess(edge: EdgeRest, config: EdgeBridgeConfig): Promise<EdgeAccess> {
  const ess = config.edge.ess;
  await edge.read(CHANNELS.soc(ess));
  let parsed: z.infer<typeof EdgeConfig> | null = null;
  try {
    const answer = EdgeConfig.safeParse(await edge.rpc("getEdgeConfig"));
    if (answer.success) parsed = answer.data;
  } catch (err) {
    // a guest or a read-only controller is refused; an Edge without the request goes on, reading
    if (
      err instanceof EdgeError &&
      (err.problem === "role" || err.problem === "read-only" || err.problem === "password")
    )
      throw err;
  }
  await edge.write(CHANNELS.setpoint(ess), null);

  const components = parsed?.components ?? null;
  const picked = pickController(components, config.edge.url, config.edge.controller);
  const apiTimeoutSeconds = picked.apiTimeout ?? config.edge.apiTimeoutSeconds;
  const verdict = components
    ? judgeSchedule(components, picked.id, ess)
    : {
        steer: false as const,
        order: [],
        warnings: [],
        why: "the Edge did not give its config (getEdgeConfig), so the bridge cannot tell whether its set-point would run before the Edge's safety controllers (§14a limiter, emergency reserve)",
      };
  return {
    role: "owner or higher (may write)",
    controllerId: picked.id,
    controllerFrom: picked.from,
    apiTimeoutSeconds,
    timeoutFrom: picked.apiTimeout !== undefined ? "edge" : "config",
    renewMs: renewInterval(config.renewSeconds, apiTimeoutSeconds, picked.id),
    steer: verdict.steer,
    ...(verdict.steer ? {} : { why: verdict.why }),
    warnings: verdict.warnings,
    order: verdict.order,
    hybrid: await hybridOf(edge, parsed, ess),
  };
}

/**
 * Whether the battery is a hybrid: its factory's natures say so where the Edge lists them;
 * otherwise a `DcDischargePower` channel does (only a HybridEss has one).
 */
async function hybridOf(
  edge: EdgeRest,
  parsed: z.infer<typeof EdgeConfig> | null,
  ess: string,
): Promise<EdgeAccess["hybrid"]> {
  const factoryId = parsed?.components[ess]?.factoryId;
  const natures = factoryId ? parsed?.factories?.[factoryId]?.natureIds : undefined;
  if (natures) return natures.includes(HYBRID_NATURE) && factoryId ? { factoryId } : null;
  try {
    await edge.read(CHANNELS.dcPower(ess));
    return { factoryId: factoryId ?? "unknown" };
  } catch (err) {
    if (err instanceof EdgeError && err.problem === "no-channel") return null;
    throw err;
  }
}
