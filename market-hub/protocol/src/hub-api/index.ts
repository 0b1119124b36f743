export * from "./routes.js";
export * from "./table.js";
