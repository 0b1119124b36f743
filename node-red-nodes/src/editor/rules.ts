import { describeProblems } from "@openlem/protocol";
import type { z } from "zod";
import { configVersion, migrateNode } from "../migrations.js";
import { Options as BatteryOptions } from "../nodes/battery/options.js";
import { Options as BoilerOptions } from "../nodes/boiler/options.js";
import { Options as EvOptions } from "../nodes/ev/options.js";
import { HubDef } from "../nodes/hub/options.js";
import { Def as MeterDef } from "../nodes/meter/options.js";
import { Options as ScheduleOptions } from "../nodes/schedule/options.js";
import { editorValues, optionProblems } from "../shared/options.js";

export { configVersion };

/**
 * Brings a node opened in the edit dialog to the current settings version, in place (the
 * dialog then saves the current version). A node from a newer release is left as it is.
 */
export function migrateInPlace(node: Record<string, unknown>): void {
  const type = String(node.type);
  try {
    Object.assign(node, migrateNode(type, node));
  } catch {
    // the runtime reports it, with what to do
  }
}

/**
 * The edit dialogs' checks: each field against the schema the node's runtime parses its options
 * with, after the same conversion of editor strings. The build bundles this for the editor
 * (global `OpenLEMEditor`), so the dialog refuses exactly what the runtime would.
 */
const rules: Record<string, { schema: z.ZodType; values: (raw: Record<string, unknown>) => Record<string, unknown> }> =
  {
    "openlem-hub": { schema: HubDef, values: (raw) => raw },
    "openlem-meter": { schema: MeterDef, values: (raw) => raw },
    "openlem-boiler": { schema: BoilerOptions, values: editorValues },
    "openlem-battery": { schema: BatteryOptions, values: editorValues },
    "openlem-ev": { schema: EvOptions, values: editorValues },
    "openlem-schedule": { schema: ScheduleOptions, values: editorValues },
  };

/** True when the field's value is fine, else what is wrong with it (Node-RED shows the text). */
export function check(type: string, field: string, value: unknown): true | string {
  const rule = rules[type];
  if (!rule) return true;
  const values = rule.values({ [field]: typeof value === "string" ? value : value === undefined ? "" : value });
  const problems = optionProblems(rule.schema, values).filter((p) => p.field === field);
  return problems.length === 0 ? true : describeProblems(problems);
}

/** The fields a node type's dialog checks. */
export function checkedFields(type: string): string[] {
  const schema = rules[type]?.schema as unknown as { shape?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.shape ?? {});
}
