/*
 * A node's settings as a flow stores them outlive the release that wrote them: a user's
 * flows.json from an old release must keep working after an option is renamed or its meaning
 * changes. Each node's settings carry a `version`; each node folder lists the migrations from
 * one version to the next; the runtime migrates every node it starts and the edit dialog every
 * node it opens (so saving writes the current version). Runtime-free: the editor bundles it.
 */

/** A node's stored settings, as in flows.json. */
export type StoredConfig = Record<string, unknown>;

export interface Migration {
  /** The version this migration produces; the first is 1 (settings without a version are 0). */
  to: number;
  /** What changed, for the changelog and the test. */
  why: string;
  up: (config: StoredConfig) => StoredConfig;
}

/** The settings of a node from a newer release than the one installed. */
export class NewerConfigError extends Error {
  constructor(type: string, version: number, current: number) {
    super(
      `${type}: this node was saved by a newer @openlem/node-red-contrib-openlem (settings version ${version}, this one knows up to ${current}): update the package in Manage palette`,
    );
  }
}

export function versionOf(config: StoredConfig): number {
  const v = config.version;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : 0;
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** The latest version a node's migrations lead to. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((v, m) => Math.max(v, m.to), 0);
}

/** The settings brought up to the latest version, each migration applied once, in order. */
export function migrate(type: string, config: StoredConfig, migrations: readonly Migration[]): StoredConfig {
  const latest = latestVersion(migrations);
  const from = versionOf(config);
  if (from > latest) throw new NewerConfigError(type, from, latest);
  let out = config;
  for (const m of [...migrations].sort((a, b) => a.to - b.to)) {
    if (m.to > versionOf(out)) out = { ...m.up(out), version: m.to };
  }
  return out;
}

/**
 * Version 1: the settings as the first release (0.1.0) wrote them, without a version. Nothing
 * is renamed; the version is written so later migrations know where a node starts from.
 */
export const firstVersion: Migration = {
  to: 1,
  why: "settings from 0.1.0 flows, which carry no version, are version 1 unchanged",
  up: (config) => config,
};
