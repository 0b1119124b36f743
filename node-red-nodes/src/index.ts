import { registerBattery } from "./nodes/battery/runtime.js";
import { registerBoiler } from "./nodes/boiler/runtime.js";
import { registerEv } from "./nodes/ev/runtime.js";
import { registerHub } from "./nodes/hub/runtime.js";
import { registerMeter } from "./nodes/meter/runtime.js";
import { registerOrder } from "./nodes/order/runtime.js";
import { registerPrice } from "./nodes/price/runtime.js";
import { registerResult } from "./nodes/result/runtime.js";
import { registerSchedule } from "./nodes/schedule/runtime.js";
import type { Red } from "./shared/red.js";

/** Node-RED loads this module and calls it with its runtime API: it registers every node. */
export default function openlem(RED: Red): void {
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
