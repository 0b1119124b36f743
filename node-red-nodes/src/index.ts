import { migrateNode } from "./migrations.js";
import { registerBattery } from "./nodes/battery/runtime.js";
import { registerBoiler } from "./nodes/boiler/runtime.js";
import { registerEv } from "./nodes/ev/runtime.js";
import { registerHub } from "./nodes/hub/runtime.js";
import { registerMeter } from "./nodes/meter/runtime.js";
import { registerOrder } from "./nodes/order/runtime.js";
import { registerPrice } from "./nodes/price/runtime.js";
import { registerResult } from "./nodes/result/runtime.js";
import { registerSchedule } from "./nodes/schedule/runtime.js";
import type { NodeDef, Red, RedNode } from "./shared/red.js";

/** Node-RED loads this module and calls it with its runtime API: it registers every node. */
export default function openlem(runtime: Red): void {
  const RED = migratingTypes(runtime);
  registerHub(RED);
  registerPrice(RED);
  registerResult(RED);
  registerOrder(RED);
  registerSchedule(RED);
  registerMeter(RED);
  registerBoiler(RED);
  registerBattery(RED);
  registerEv(RED);
}

/**
 * Node-RED's API with every node's stored settings migrated to the current version before the
 * node starts, so that each node's runtime only ever sees settings of its own release.
 */
function migratingTypes(RED: Red): Red {
  return {
    ...RED,
    nodes: {
      ...RED.nodes,
      registerType: (type, init, options) =>
        RED.nodes.registerType(
          type,
          function (this: RedNode, def: NodeDef) {
            try {
              // in place: Node-RED's own fields on the settings (the flow, the alias) are hidden ones
              const migrated = migrateNode(type, def);
              for (const k of Object.keys(def)) if (!(k in migrated)) delete def[k];
              Object.assign(def, migrated, { id: def.id, type: def.type });
            } catch (err) {
              RED.nodes.createNode(this, def);
              const why = err instanceof Error ? err.message : String(err);
              this.status({ fill: "red", shape: "ring", text: why.slice(0, 100) });
              this.error(why);
              return;
            }
            init.call(this, def);
          },
          options,
        ),
    },
  };
}
