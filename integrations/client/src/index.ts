export { type AdminOptions, HubAdmin } from "./admin.js";
export { HubError } from "./errors.js";
export { type ConnectionState, defaultMqttUrl, LiveFeed, type LiveHandlers, type LiveOptions } from "./live.js";
export { afterFailedSend, type FlushResult, Outbox, type OutboxStore } from "./outbox.js";
export { type HubAuth, HubRest, type RestOptions, type RetryOptions } from "./rest.js";
