import type { HubConfig } from "./config.js";
import type { Database } from "./db/database.js";

/** What every route and service of one hub process shares. */
export interface HubContext {
  config: HubConfig;
  db: Database;
  /** The hub's clock: injectable for tests and the accelerated demo. */
  now: () => Date;
  /** The JWT signing key (auth.secrets). */
  key: Uint8Array;
}
