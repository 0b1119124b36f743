export { EdgeBridge, type EdgeBridgeEvent, type EdgeBridgeOptions } from "./bridge.js";
export { ConfigError, EdgeBridgeConfig, loadConfig, parseConfig } from "./config.js";
export { CHANNELS, EdgeDevices } from "./devices.js";
export { EdgeError, EdgeRest } from "./edge-rest.js";
