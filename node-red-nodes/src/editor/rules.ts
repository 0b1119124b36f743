import { describeProblems } from "@openlem/protocol";
import type { z } from "zod";
import { configVersion, migrateNode } from "../migrations.js";
import { batterySettings } from "../nodes/battery/options.js";
import { boilerSettings } from "../nodes/boiler/options.js";
import { evSettings } from "../nodes/ev/options.js";
import { HubDef } from "../nodes/hub/options.js";
import { Def as MeterDef } from "../nodes/meter/options.js";
import { Options as ScheduleOptions } from "../nodes/schedule/options.js";
import {
  type DeviceSettings,
  deviceSettings,
  editorValues,
  type OptionProblem,
  optionProblems,
} from "../shared/options.js";

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

interface Rule {
  schema: z.ZodType;
  values: (raw: Record<string, unknown>) => Record<string, unknown>;
  problems: (values: Record<string, unknown>) => OptionProblem[];
}
const fieldRule = (schema: z.ZodType, values: Rule["values"]): Rule => ({
  schema,
  values,
  problems: (v) => optionProblems(schema, v),
});
// a device's settings: each field, then the rules between fields, as the runtime runs them
const deviceRule = <O>(settings: DeviceSettings<O>): Rule => ({
  schema: settings.options,
  values: editorValues,
  problems: (v) => {
    const s = deviceSettings(settings, v);
    return s.ok ? [] : s.problems;
  },
});

/**
 * The edit dialogs' checks: the schema the node's runtime parses its options with, after the
 * same conversion of editor strings, and for the device nodes the rules between fields the
 * runtime refuses (min below target, minSoc below maxSoc …). The build bundles this for the
 * editor (global `OpenLEMEditor`), so the dialog refuses exactly what the runtime would.
 */
const rules: Record<string, Rule> = {
  "openlem-hub": fieldRule(HubDef, (raw) => raw),
  "openlem-meter": fieldRule(MeterDef, (raw) => raw),
  "openlem-boiler": deviceRule(boilerSettings),
  "openlem-battery": deviceRule(batterySettings),
  "openlem-ev": deviceRule(evSettings),
  "openlem-schedule": fieldRule(ScheduleOptions, editorValues),
};

/** The part of Node-RED's editor API the checks read (present in the browser only). */
interface EditorGlobals {
  RED?: { editor?: { getEditStack?: () => unknown[] } };
  document?: { getElementById(id: string): { value?: unknown } | null };
}

/**
 * The node's values as they stand: the open dialog's fields when this node is the one being
 * edited (Node-RED re-checks every field on each change), else its saved properties.
 */
function currentValues(type: string, node: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!node) return {};
  const g = globalThis as EditorGlobals;
  const stack = g.RED?.editor?.getEditStack?.() ?? [];
  const editing = stack.length > 0 && stack[stack.length - 1] === node;
  const prefix = type === "openlem-hub" ? "node-config-input" : "node-input";
  const out: Record<string, unknown> = {};
  for (const field of checkedFields(type)) {
    const input = editing ? g.document?.getElementById(`${prefix}-${field}`) : null;
    out[field] = input ? input.value : node[field];
  }
  return out;
}

/**
 * True when the field's value is fine, else what is wrong with it (Node-RED shows the text).
 * With the node (`this` in a Node-RED validator), the rules between its fields are checked
 * too, and a broken one marks every field it involves.
 */
export function check(type: string, field: string, value: unknown, node?: Record<string, unknown>): true | string {
  const rule = rules[type];
  if (!rule) return true;
  const raw = { ...currentValues(type, node), [field]: typeof value === "string" ? value : (value ?? "") };
  const problems = rule.problems(rule.values(raw)).filter((p) => p.fields.includes(field));
  return problems.length === 0 ? true : describeProblems(problems);
}

/** The fields a node type's dialog checks. */
export function checkedFields(type: string): string[] {
  const schema = rules[type]?.schema as unknown as { shape?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.shape ?? {});
}
