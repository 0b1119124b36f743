export { checkAccess, type EdgeAccess, pickController, renewInterval } from "./access.js";
export { EdgeBridge, type EdgeBridgeEvent, type EdgeBridgeOptions } from "./bridge.js";
export { ConfigError, EdgeBridgeConfig, loadConfig, parseConfig } from "./config.js";
export { CHANNELS, type EdgeControl, EdgeDevices, type Renewal } from "./devices.js";
export { EdgeError, type EdgeProblem, EdgeRest, edgeProblem } from "./edge-rest.js";
export { type Following, judgeFollowing, otherWrites } from "./following.js";
export { type EdgeComponent, GUARDS, judgeSchedule, runOrder, type ScheduleVerdict } from "./schedule.js";
