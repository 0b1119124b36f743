export { buildCalendar, type Calendar } from "./calendar.js";
export { CommunityProfiles, householdSpecOf } from "./community-profiles.js";
export { type HubRunOptions, type HubRunResult, SimulatedHome, simulateOnHub } from "./hub-run.js";
export { householdLoadWh, loadShape, seasonalFactor } from "./profiles/load.js";
export { clearSkyGhi, SolarSite, sunSine, weatherFactor } from "./profiles/solar.js";
export { toHtml } from "./report/html.js";
export { type JsonScenario, toJson, toTable } from "./report/summary.js";
export {
  type HouseholdResult,
  type SafetyFigures,
  type Series,
  type SimulateOptions,
  simulate,
  VARIANTS,
  type Variant,
  type VariantResult,
} from "./run.js";
export {
  type Household,
  type LoadedScenario,
  loadScenario,
  parseScenarioYaml,
  Scenario,
  ScenarioError,
} from "./scenario.js";
