export { buildApp, HUB_VERSION } from "./app.js";
export { configFromEnv, HubConfig } from "./config.js";
export type { HubContext } from "./context.js";
export { type Database, openDatabase } from "./db/database.js";
export { migrate } from "./db/migrate.js";
export { type HubOptions, type RunningHub, startHub } from "./hub.js";
