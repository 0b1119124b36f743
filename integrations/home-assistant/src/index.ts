export { householdDiscovery } from "@openlem/protocol";
export { AddonOptions, configFromAddon, loadAddonConfig } from "./addon.js";
export { type BridgeEvent, type BridgeOptions, HaBridge } from "./bridge.js";
export { BridgeConfig, ConfigError, configuredEntities, loadConfig, parseConfig } from "./config.js";
export { HaDevices } from "./devices.js";
export { HaConnection, HaError } from "./ha-connection.js";
