import { z } from "zod";
import type { EdgeBridgeConfig } from "./config.js";
import { CHANNELS } from "./devices.js";
import { EdgeError, type EdgeRest } from "./edge-rest.js";

/** What the Edge lets the bridge do, found out at start. */
export interface EdgeAccess {
  /** In words: the credentials' role as far as the Edge shows it. */
  role: string;
  /** The REST controller whose API worker holds the set-point (for its ApiWorkerLog). */
  controllerId: string;
  /** Its API timeout (s), from the Edge's config or, where the Edge does not say, the bridge's config. */
  apiTimeoutSeconds: number;
  /** Whether the Edge itself said the timeout (getEdgeConfig), or the config assumed it. */
  timeoutFrom: "edge" | "config";
  /** How often the set-point is posted again (ms): well inside the API timeout. */
  renewMs: number;
}

const EdgeConfig = z.object({
  components: z.record(
    z.string(),
    z.object({ factoryId: z.string(), properties: z.record(z.string(), z.unknown()).optional() }),
  ),
});

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

/**
 * Finds out at start what the credentials may do: a read (any role), the Edge's config over
 * JSON-RPC (owner or higher; it names the REST controller and its API timeout), and a release
 * of the battery's set-point (`null`, harmless: it hands the battery to the Edge's own
 * controllers, which is where it is before the bridge takes over). A guest, a read-only
 * controller or a battery that takes no set-point is refused here with what to do, before the
 * bridge steers anything.
 */
export async function checkAccess(edge: EdgeRest, config: EdgeBridgeConfig): Promise<EdgeAccess> {
  const ess = config.edge.ess;
  await edge.read(CHANNELS.soc(ess));
  let components: z.infer<typeof EdgeConfig>["components"] | null = null;
  try {
    const parsed = EdgeConfig.safeParse(await edge.rpc("getEdgeConfig"));
    if (parsed.success) components = parsed.data.components;
  } catch (err) {
    // a guest or a read-only controller is refused; an Edge without the request goes on
    if (
      err instanceof EdgeError &&
      (err.problem === "role" || err.problem === "read-only" || err.problem === "password")
    )
      throw err;
  }
  await edge.write(CHANNELS.setpoint(ess), null);

  const rest = Object.entries(components ?? {}).find(([, c]) => c.factoryId === "Controller.Api.Rest.ReadWrite");
  const controllerId = config.edge.controller ?? rest?.[0] ?? "ctrlApiRest0";
  const fromEdge = rest?.[1].properties?.apiTimeout;
  const apiTimeoutSeconds = typeof fromEdge === "number" ? fromEdge : config.edge.apiTimeoutSeconds;
  return {
    role: "owner or higher (may write)",
    controllerId,
    apiTimeoutSeconds,
    timeoutFrom: typeof fromEdge === "number" ? "edge" : "config",
    renewMs: renewInterval(config.renewSeconds, apiTimeoutSeconds, controllerId),
  };
}
