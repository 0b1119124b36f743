import type { HubConfig } from "./config.js";
import type { Database } from "./db/database.js";
import type { HubMetrics } from "./http/metrics.js";

/** What every route and service of one hub process shares. */
export interface HubContext {
  config: HubConfig;
  db: Database;
  /** Market time: slots, gate closure, clearing. Injectable for tests and the accelerated demo. */
  now: () => Date;
  /** Wall-clock time for security: token lifetimes, PIN lockouts, revocations. Never accelerated. */
  wallNow: () => Date;
  /** The JWT signing key (auth.secrets). */
  key: Uint8Array;
  metrics: HubMetrics;
}
