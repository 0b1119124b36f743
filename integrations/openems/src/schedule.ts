/**
 * Where the Edge runs the bridge's REST controller among its other controllers, from its
 * config (getEdgeConfig). OpenEMS fits every controller's power constraint into what the
 * controllers before it left (PowerConstraint.java, Power.fitValueIntoMinMaxPower): whatever
 * runs first fixes the battery's power. A REST set-point (EQUALS) that runs before the §14a
 * limiter or the emergency reserve silently cancels them, so the bridge must not steer then.
 */
export interface EdgeComponent {
  factoryId: string;
  properties?: Record<string, unknown>;
}

/**
 * Controllers that keep the battery inside limits someone else set (the grid operator, the
 * fuse, the household's backup reserve): they must run before the REST controller.
 */
export const GUARDS: Record<string, string> = {
  "Controller.Ess.Limiter14a": "the grid operator's §14a limit",
  "Controller.Ess.RippleControlReceiver": "the grid operator's ripple-control limit",
  "Controller.Ess.EmergencyCapacityReserve": "the emergency capacity reserve",
  "Controller.Ess.LimitTotalDischarge": "the minimum state of charge",
  "Controller.Ess.SellToGridLimit": "the feed-in limit",
  "Controller.Symmetric.LimitActivePower": "the battery's power limit",
  "Controller.Symmetric.PeakShaving": "peak shaving",
  "Controller.Asymmetric.PeakShaving": "peak shaving",
  "Controller.TimeslotPeakshaving": "peak shaving",
  "Controller.HighLoadTimeslot": "the high-load time slots",
  "Controller.Ess.AcIsland": "the off-grid switch-over",
};

/** Controllers that run the battery for self-consumption or a schedule of their own. */
const STEERING = new Set([
  "Controller.Symmetric.Balancing",
  "Controller.Symmetric.BalancingSchedule",
  "Controller.Asymmetric.BalancingCosPhi",
  "Controller.Ess.Time-Of-Use-Tariff",
  "Controller.Ess.GridOptimizedCharge",
  "Controller.Ess.FixActivePower",
  "Controller.Ess.FixStateOfCharge",
  "Controller.Ess.DelayCharge",
  "Controller.Ess.DelayedSellToGrid",
  "Controller.Ess.Hybrid.Surplus-Feed-To-Grid",
  "Controller.Ess.Cycle",
  "Controller.Ess.SoH.Cycle",
  "Controller.Ess.Standby",
  "Controller.Ess.LinearPowerBand",
  "Controller.Ess.MinimumDischargePower",
  "Controller.Ess.ActivePowerVoltageCharacteristic",
  "Controller.Clever-PV",
  "Controller.Generic.JsonLogic",
  "Controller.Api.ModbusTcp.ReadWrite",
  "Controller.Api.ModbusRtu.ReadWrite",
  "Controller.Api.Rest.ReadWrite",
]);

const SCHEDULERS = new Set(["Scheduler.AllAlphabetically", "Scheduler.FixedOrder"]);

export type ScheduleVerdict =
  | { steer: true; order: string[]; warnings: string[] }
  | { steer: false; order: string[]; why: string; warnings: string[] };

const enabled = (c: EdgeComponent) => c.properties?.enabled !== false;
const isController = (c: EdgeComponent) => c.factoryId.startsWith("Controller.");

function listed(c: EdgeComponent): string[] {
  const ids = c.properties?.["controllers.ids"];
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string" && id.trim() !== "") : [];
}

/**
 * The controllers in the order the Edge runs them: schedulers by id (CycleImpl keeps them in a
 * TreeSet by id), each one's list (AllAlphabetically: its list, then every other enabled
 * controller by id; FixedOrder: its list only), disabled or missing controllers skipped
 * (CycleWorker). Null with the scheduler's id where a scheduler's order cannot be known here
 * (Daily, JSCalendar: they change over the day).
 */
export function runOrder(components: Record<string, EdgeComponent>): { order: string[]; unknown: string[] } {
  const schedulers = Object.entries(components)
    .filter(([, c]) => c.factoryId.startsWith("Scheduler.") && enabled(c))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const controllers = Object.entries(components)
    .filter(([, c]) => isController(c) && enabled(c))
    .map(([id]) => id)
    .sort();
  const order: string[] = [];
  const unknown: string[] = [];
  for (const [id, s] of schedulers) {
    if (!SCHEDULERS.has(s.factoryId)) {
      unknown.push(`${id} (${s.factoryId})`);
      continue;
    }
    const ids = s.factoryId === "Scheduler.FixedOrder" ? listed(s) : [...new Set([...listed(s), ...controllers])];
    order.push(...ids.filter((c) => controllers.includes(c)));
  }
  return { order, unknown };
}

/** The controller acts on this battery (its `ess.id`), or on every battery (no `ess.id`). */
function onBattery(c: EdgeComponent, ess: string): boolean {
  const id = c.properties?.["ess.id"];
  return typeof id !== "string" || id === ess;
}

/**
 * Whether the bridge may steer the battery through `restId`: only when every guard on the
 * battery runs before it. Controllers that steer the battery themselves and run first are
 * named as a warning: the set-point is then fitted into what they decided.
 */
export function judgeSchedule(components: Record<string, EdgeComponent>, restId: string, ess: string): ScheduleVerdict {
  const { order, unknown } = runOrder(components);
  const schedulers = Object.entries(components).filter(([, c]) => c.factoryId.startsWith("Scheduler.") && enabled(c));
  const fix = (list: string[]) =>
    `put ${restId} after ${list.join(", ")} in the scheduler's Controller-IDs (controllers.ids), e.g. [${[
      ...list,
      restId,
    ]
      .map((id) => `"${id}"`)
      .join(", ")}]`;
  if (unknown.length > 0)
    return {
      steer: false,
      order,
      warnings: [],
      why: `the Edge's scheduler ${unknown.join(", ")} changes the controllers' order over the day, so the bridge cannot tell whether its set-point would run before the Edge's safety controllers. Use Scheduler.AllAlphabetically or Scheduler.FixedOrder with ${restId} listed after them`,
    };
  if (schedulers.length === 0)
    return {
      steer: false,
      order,
      warnings: [],
      why: "the Edge has no scheduler, so no controller runs and a set-point would do nothing: add a Scheduler.AllAlphabetically",
    };
  const at = order.indexOf(restId);
  const guards = order.filter((id) => {
    const c = components[id];
    return c !== undefined && GUARDS[c.factoryId] !== undefined && onBattery(c, ess);
  });
  if (at === -1) {
    const fixed = schedulers.filter(([, s]) => s.factoryId === "Scheduler.FixedOrder").map(([id]) => id);
    return {
      steer: false,
      order,
      warnings: [],
      why: `the Edge's ${fixed.length > 0 ? `Scheduler.FixedOrder ${fixed.join(", ")} does not list` : "schedulers do not run"} ${restId}, so the Edge never runs it and a set-point would do nothing: ${
        guards.length > 0 ? fix(guards) : `add "${restId}" to its Controller-IDs (controllers.ids)`
      }`,
    };
  }
  const late = guards.filter((id) => order.indexOf(id) > at);
  const before = order.slice(0, at);
  const warnings = before
    .filter((id) => {
      const c = components[id];
      return c !== undefined && STEERING.has(c.factoryId) && onBattery(c, ess);
    })
    .map(
      (id) =>
        `${id} (${components[id]?.factoryId}) runs before ${restId}: the Edge fits the bridge's set-point into what it decided, so the battery follows the market only where ${id} leaves room. To let the market steer, put ${restId} before it in controllers.ids`,
    );
  if (late.length > 0)
    return {
      steer: false,
      order,
      warnings,
      why: `the Edge runs ${restId} before ${late
        .map((id) => `${id} (${GUARDS[components[id]?.factoryId ?? ""]})`)
        .join(", ")}: whatever runs first fixes the battery's power, so the bridge's set-point would cancel ${
        late.length === 1 ? "it" : "them"
      }. The bridge only reads and bids until you ${fix([...guards.filter((id) => order.indexOf(id) < at), ...late])}`,
    };
  return { steer: true, order, warnings };
}
