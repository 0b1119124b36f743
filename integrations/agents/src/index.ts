export * from "./devices/battery.js";
export * from "./devices/boiler.js";
export * from "./devices/ev.js";
export * from "./safety/safety.js";
export * from "./strategies/battery-plan.js";
export * from "./strategies/boiler-plan.js";
export * from "./strategies/ev-plan.js";
export * from "./strategies/ramps.js";
