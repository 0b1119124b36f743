import { migrations as battery } from "./nodes/battery/migrations.js";
import { migrations as boiler } from "./nodes/boiler/migrations.js";
import { migrations as ev } from "./nodes/ev/migrations.js";
import { migrations as hub } from "./nodes/hub/migrations.js";
import { migrations as meter } from "./nodes/meter/migrations.js";
import { migrations as order } from "./nodes/order/migrations.js";
import { migrations as price } from "./nodes/price/migrations.js";
import { migrations as result } from "./nodes/result/migrations.js";
import { migrations as schedule } from "./nodes/schedule/migrations.js";
import { latestVersion, type Migration, migrate, type StoredConfig } from "./shared/migrations.js";

/** Every node type's migrations, for the runtime and the editor alike. */
export const nodeMigrations: Readonly<Record<string, readonly Migration[]>> = {
  "openlem-hub": hub,
  "openlem-price": price,
  "openlem-result": result,
  "openlem-order": order,
  "openlem-schedule": schedule,
  "openlem-meter": meter,
  "openlem-boiler": boiler,
  "openlem-battery": battery,
  "openlem-ev": ev,
};

/** A node's stored settings at the current version of its type. */
export function migrateNode(type: string, config: StoredConfig): StoredConfig {
  return migrate(type, config, nodeMigrations[type] ?? []);
}

/** The version new nodes of a type start at. */
export function configVersion(type: string): number {
  return latestVersion(nodeMigrations[type] ?? []);
}
