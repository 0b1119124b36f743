/*
 * The device models and the household's spec, free of I/O: what the Node-RED editor bundles to
 * check a dialog with the runtime's own rules (`@openlem/agents/devices`).
 */
export * from "../household/spec.js";
export * from "./battery.js";
export * from "./boiler.js";
export * from "./ev.js";
export * from "./hot-water.js";
