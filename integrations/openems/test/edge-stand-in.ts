import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/**
 * STAND-IN for an OpenEMS Edge (not OpenEMS itself): no Edge runs on this machine. Each
 * behaviour copies the OpenEMS source file named beside it (github.com/OpenEMS/openems, read at
 * 0e4ea88 of 2026-04), failure paths included:
 *
 * - REST API, `io.openems.edge.controller.api.rest/…/RestHandler.java`: GET
 *   /rest/channel/<component>/<channel> answers `{ address, type, accessMode, text, unit, value }`
 *   (no `value` for a write-only channel; an unknown channel is a 404 with no body); POST
 *   `{ "value": … }` goes to the controller's API worker; GET needs the guest role, POST and
 *   /jsonrpc the owner role or higher; a read-only controller refuses POST and /jsonrpc
 *   ("REST-Api is in Read-Only mode"); basic auth by name and password, then by password alone.
 * - Errors, two generations. Jetty 12 Edges (2025.4 on, `"jetty12"`): `RestHandler.handle`
 *   hands every exception to `callback.failed`, so Jetty writes it: status 500, message
 *   `cause.toString()` (`jetty-core/…/server/Response.java`, `writeError`), body by the request's
 *   Accept header (`jetty-core/…/server/handler/ErrorHandler.java`): HTML for none, `*\/*` or
 *   text/html, a flat JSON object `{message, url, status}` for application/json, text for
 *   text/plain, nothing for anything else. Only a JSON-RPC request that got past the role check
 *   answers a JSON-RPC error, 400 (`JettyUtils.sendErrorResponse`). Edges before 2025.4
 *   (`"legacy"`) answered every error with a JSON-RPC error body, 401 for a failed login and
 *   400 otherwise. Codes from `OpenemsError.java`: 1002 role denied, 1003 authentication failed.
 * - The default users of an Edge (`io.openems.edge.core/…/user/UserServiceImpl`): admin/admin,
 *   installer/installer, owner/owner, and the guest with password "user".
 * - REST controllers, `readwrite/Config.java`: each listens on a port of its own (default
 *   8084) with its own API worker (`io.openems.edge.controller.api.common/…/ApiWorker.java`):
 *   one timer per controller, reset by every write from any client through it; when it fires
 *   every written value is dropped; `apiTimeout` 0 never fires (default 60 s); a null value
 *   removes the channel's write value; `ApiWorkerLog` lists `address:value` of what it writes,
 *   joined by `|`. A controller hands its values to the Edge only when the scheduler runs it.
 * - Writing a channel that is not a write channel: `ApiWorker.handleSetChannelValueRequest`
 *   ("[…] is not a Write Channel"); a channel the component does not have (a battery that is
 *   not a `ManagedSymmetricEss` has no `SetActivePowerEquals`): `OpenemsComponent.channel`
 *   throws an IllegalArgumentException ("Channel [x] is not defined for ID [ess0]…").
 * - Schedulers: `Scheduler.AllAlphabetically` (its `controllers.ids` first, then every other
 *   enabled controller by id; `SchedulerAllAlphabeticallyImpl.java`), `Scheduler.FixedOrder`
 *   (its list only; `SchedulerFixedOrderImpl.java`); several schedulers run in the order of
 *   their ids, disabled controllers are skipped (`io.openems.edge.core/…/cycle/CycleImpl.java`,
 *   `CycleWorker.java`). The App Center writes `controllers.ids` in its central order
 *   (`centralOrder` below, from `SchedulerByCentralOrderAggregateTaskImpl.java`).
 * - The power constraints, `io.openems.edge.ess.api/…/PowerConstraint.java` and
 *   `power/api/Power.java`: every controller's constraint is first fitted into what the
 *   controllers before it left (`fitValueIntoMinMaxPower` for EQUALS, `fitValueToMaxPower` for
 *   GREATER_OR_EQUALS, `fitValueToMinPower` for LESS_OR_EQUALS), so whatever runs first wins.
 *   The range starts at the battery's live `AllowedChargePower`/`AllowedDischargePower`
 *   (`ManagedSymmetricEss.java`; BMS derating moves them).
 * - Controllers as constraints: `Controller.Ess.Limiter14a` (`ControllerEssLimiter14aImpl.java`:
 *   while the grid operator's input is active, GREATER_OR_EQUALS −4200 W),
 *   `Controller.Ess.EmergencyCapacityReserve` (`ControllerEssEmergencyCapacityReserveImpl.java`:
 *   at or below the reserve, no discharge: LESS_OR_EQUALS 0), `Controller.Ess.LimitTotalDischarge`
 *   (the same at its minimum state of charge), `Controller.Symmetric.Balancing`
 *   (`ControllerEssBalancingImpl.java`: EQUALS the battery's power plus the grid's, so the grid
 *   goes to 0), `Controller.Ess.FixActivePower` (EQUALS its `power`).
 * - A hybrid battery (`HybridEss.java`, e.g. GoodWe): `ActivePower` and the set-point are on the
 *   AC side and include the DC charger's PV; `DcDischargePower` = `ActivePower` − DC-PV is what
 *   the battery itself does.
 * - Energy (`Sum`, `SumImpl.java`; `ElectricityMeter`): `_sum/GridBuyActiveEnergy` and
 *   `_sum/GridSellActiveEnergy` count Wh bought and sold, and like every `_sum` energy counter
 *   have no value for the first 60 s after the Edge starts (`EnergyValuesHandler.java`,
 *   INITIAL_DELAY); on the grid meter `meter0`, `ActiveProductionEnergy` is bought and
 *   `ActiveConsumptionEnergy` sold.
 * - Connection limit (`readwrite/Config.java` `connectionlimit`, default 5): the stand-in counts
 *   the requests open at once, so a test can hold the bridge under it.
 */
export type Role = "ADMIN" | "INSTALLER" | "OWNER" | "GUEST";
const RANK: Record<Role, number> = { ADMIN: 0, INSTALLER: 1, OWNER: 2, GUEST: 3 };

interface ChannelDoc {
  type: "INTEGER" | "LONG" | "STRING" | "BOOLEAN";
  accessMode: "RO" | "RW" | "WO";
  unit: string;
  text?: string;
  value: number | string | null;
}

export interface RestControllerOptions {
  id: string;
  accessMode?: "READ_WRITE" | "READ_ONLY";
  apiTimeoutSeconds?: number;
}

/** Another controller of the Edge: its factory and properties, as getEdgeConfig lists them. */
export interface ControllerComponent {
  id: string;
  factoryId: string;
  properties?: Record<string, unknown>;
}

export interface EdgeStandInOptions {
  users?: { name: string; password: string; role: Role }[];
  statusCodes?: "legacy" | "jetty12";
  /** The first REST controller's access mode, API timeout and id (the one at `url`). */
  accessMode?: "READ_WRITE" | "READ_ONLY";
  apiTimeoutSeconds?: number;
  controllerId?: string;
  /** Further REST controllers, each on a port of its own with its own API worker. */
  moreRestControllers?: RestControllerOptions[];
  /** Controllers besides the REST ones. */
  controllers?: ControllerComponent[];
  /** The schedulers; default one AllAlphabetically with an empty list. */
  schedulers?: { id: string; factoryId: string; ids: string[] }[];
  /** The battery: a managed one takes set-points; its limits (W); a hybrid has DC-PV. */
  ess?: {
    id?: string;
    managed?: boolean;
    follows?: boolean;
    maxChargeW?: number;
    maxDischargeW?: number;
    hybrid?: boolean;
    factoryId?: string;
  };
  /** How long the Edge has run when the stand-in starts (ms; default an hour). */
  uptimeMs?: number;
  /** The Edge's clock (default Date.now), for the API timeout and the energy counters. */
  now?: () => number;
}

export const DEFAULT_USERS: { name: string; password: string; role: Role }[] = [
  { name: "admin", password: "admin", role: "ADMIN" },
  { name: "installer", password: "installer", role: "INSTALLER" },
  { name: "owner", password: "owner", role: "OWNER" },
  { name: "guest", password: "user", role: "GUEST" },
];

/** The §14a limit on a battery's charging from the grid (ControllerEssLimiter14a.java). */
export const ESS_LIMIT_14A_ENWG = -4200;

/** OpenEMS's exception classes, as Jetty names them in `cause.toString()`. */
const NAMED = "io.openems.common.exceptions.OpenemsError$OpenemsNamedException";
const GENERIC = "io.openems.common.exceptions.OpenemsException";
const ILLEGAL = "java.lang.IllegalArgumentException";

class EdgeFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly legacyStatus: number,
    readonly javaClass = code === 1 ? GENERIC : NAMED,
  ) {
    super(message);
  }
}

/** A scheduler of the Edge (default `scheduler0`, AllAlphabetically) with its Controller-IDs. */
export function scheduler(
  ids: string[],
  factoryId = "Scheduler.AllAlphabetically",
): { id: string; factoryId: string; ids: string[] } {
  return { id: "scheduler0", factoryId, ids };
}

/** The App Center's central order by factory (ProductionSchedulerOrderDefinition). */
const CENTRAL_ORDER = [
  "Controller.Ess.Limiter14a",
  "Controller.Ess.RippleControlReceiver",
  "Controller.Ess.PrepareBatteryExtension",
  "Controller.Ess.FixActivePower",
  "Controller.Ess.FixStateOfCharge",
  "Controller.Ess.SoH.Cycle",
  "Controller.Ess.EmergencyCapacityReserve",
  "Controller.Api.ModbusTcp.ReadWrite",
  "Controller.Api.ModbusRtu.ReadWrite",
  "Controller.Api.Rest.ReadWrite",
  "Controller.Clever-PV",
  "Controller.Ess.GridOptimizedCharge",
  "Controller.Ess.Hybrid.Surplus-Feed-To-Grid",
  "Controller.Evcs",
  "Controller.Ess.Time-Of-Use-Tariff",
  "Controller.TimeslotPeakshaving",
  "Controller.Symmetric.PeakShaving",
  "Controller.Asymmetric.PeakShaving",
  "Controller.Symmetric.Balancing",
];

/**
 * The `controllers.ids` the App Center writes for these controllers: by the central order of
 * their factories, then by id (`SchedulerByCentralOrderAggregateTaskImpl.java`).
 */
export function centralOrder(controllers: ControllerComponent[]): string[] {
  return controllers
    .filter((c) => CENTRAL_ORDER.includes(c.factoryId))
    .sort((a, b) => CENTRAL_ORDER.indexOf(a.factoryId) - CENTRAL_ORDER.indexOf(b.factoryId) || (a.id < b.id ? -1 : 1))
    .map((c) => c.id);
}

class RestController {
  readonly apiValues = new Map<string, number>();
  timerFrom: number | null = null;
  server!: Server;
  port = 0;
  constructor(
    readonly id: string,
    readonly accessMode: "READ_WRITE" | "READ_ONLY",
    readonly apiTimeoutSeconds: number,
  ) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

export class EdgeStandIn {
  readonly channels = new Map<string, ChannelDoc>();
  /** Every POST that reached an API worker, in order. */
  readonly writes: { channel: string; value: number | null; at: number; user: string; controller: string }[] = [];
  /** Every request, with the user's role (null: refused before a user was known). */
  readonly requests: { method: string; path: string; role: Role | null; controller: string }[] = [];
  /** Every error body sent, with the Accept header it answered. */
  readonly errors: { status: number; accept: string | undefined; body: string }[] = [];
  /** What a battery does when no controller fixes its power, or whose driver ignores set-points (W). */
  ownPowerW = 0;
  /** The DC charger's PV now, on a hybrid battery (W). */
  dcPvW = 0;
  /** The grid operator's §14a input is active. */
  limiter14aActive = false;
  /** Grid power now (W, + buy), integrated into the counters by `advance`. */
  gridW = 0;
  maxOpen = 0;
  /** FAULT (a slow Edge): while set, writes with a value wait on the Edge for it; `held` counts them. */
  gate: Promise<void> | null = null;
  held = 0;
  /** Held writes the Edge has since applied. */
  landed = 0;
  readonly controllers: ControllerComponent[];
  schedulers: { id: string; factoryId: string; ids: string[] }[];
  readonly rest: RestController[];
  private open = 0;
  private readonly startedAt: number;
  readonly o: {
    users: { name: string; password: string; role: Role }[];
    statusCodes: "legacy" | "jetty12";
    ess: Required<NonNullable<EdgeStandInOptions["ess"]>>;
  };
  private readonly now: () => number;

  constructor(options: EdgeStandInOptions = {}) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now() - (options.uptimeMs ?? 3_600_000);
    const hybrid = options.ess?.hybrid ?? false;
    this.o = {
      users: options.users ?? DEFAULT_USERS,
      statusCodes: options.statusCodes ?? "jetty12",
      ess: {
        id: "ess0",
        managed: true,
        follows: true,
        maxChargeW: 5000,
        maxDischargeW: 5000,
        hybrid,
        factoryId: hybrid ? "GoodWe.Ess" : "Ess.Generic.ManagedSymmetric",
        ...options.ess,
      },
    };
    if (!this.o.ess.managed && !options.ess?.factoryId) this.o.ess.factoryId = "Ess.Fenecon.Commercial40";
    this.rest = [
      new RestController(
        options.controllerId ?? "ctrlApiRest0",
        options.accessMode ?? "READ_WRITE",
        options.apiTimeoutSeconds ?? 60,
      ),
      ...(options.moreRestControllers ?? []).map(
        (r) => new RestController(r.id, r.accessMode ?? "READ_WRITE", r.apiTimeoutSeconds ?? 60),
      ),
    ];
    this.controllers = options.controllers ?? [];
    this.schedulers = options.schedulers ?? [{ id: "scheduler0", factoryId: "Scheduler.AllAlphabetically", ids: [] }];
    const e = this.o.ess.id;
    const ro = (type: ChannelDoc["type"], unit: string, value: ChannelDoc["value"]): ChannelDoc => ({
      type,
      accessMode: "RO",
      unit,
      value,
    });
    this.channels.set("_sum/GridActivePower", ro("INTEGER", "W", 0));
    this.channels.set("_sum/ProductionActivePower", ro("INTEGER", "W", 0));
    this.channels.set("_sum/ConsumptionActivePower", ro("INTEGER", "W", 0));
    this.channels.set("_sum/EssSoc", ro("INTEGER", "%", 50));
    this.channels.set("_sum/GridBuyActiveEnergy", ro("LONG", "Wh_Σ", 0));
    this.channels.set("_sum/GridSellActiveEnergy", ro("LONG", "Wh_Σ", 0));
    this.channels.set("_sum/ProductionActiveEnergy", ro("LONG", "Wh_Σ", 0));
    this.channels.set("meter0/ActiveProductionEnergy", ro("LONG", "Wh_Σ", 0));
    this.channels.set("meter0/ActiveConsumptionEnergy", ro("LONG", "Wh_Σ", 0));
    this.channels.set(`${e}/Soc`, ro("INTEGER", "%", 50));
    this.channels.set(`${e}/Capacity`, ro("INTEGER", "Wh", 10_000));
    this.channels.set(`${e}/ActivePower`, ro("INTEGER", "W", 0));
    if (this.o.ess.managed) {
      this.channels.set(`${e}/SetActivePowerEquals`, { type: "INTEGER", accessMode: "WO", unit: "W", value: null });
      this.channels.set(`${e}/AllowedChargePower`, ro("INTEGER", "W", -this.o.ess.maxChargeW));
      this.channels.set(`${e}/AllowedDischargePower`, ro("INTEGER", "W", this.o.ess.maxDischargeW));
    }
    if (hybrid) {
      this.channels.set(`${e}/DcDischargePower`, ro("INTEGER", "W", 0));
      this.channels.set("charger0/ActualPower", ro("INTEGER", "W", 0));
    }
    for (const r of this.rest) this.channels.set(`${r.id}/ApiWorkerLog`, ro("STRING", "", null));
  }

  /** The first REST controller's base URL. */
  get url(): string {
    return this.rest[0]?.url ?? "";
  }

  urlOf(controllerId: string): string {
    const r = this.rest.find((c) => c.id === controllerId);
    if (!r) throw new Error(`the stand-in has no REST controller ${controllerId}`);
    return r.url;
  }

  /** Sets a read-only channel's value as the Edge's components would. */
  set(address: string, value: number | string | null): void {
    const c = this.channels.get(address);
    if (!c) throw new Error(`the stand-in has no channel ${address}`);
    c.value = value;
  }

  value(address: string): number | string | null {
    this.settle();
    return this.channels.get(address)?.value ?? null;
  }

  /** The set-point a REST controller's API worker holds now (W), or null. */
  apiSetpointW(controllerId = this.rest[0]?.id): number | null {
    this.settle();
    return this.rest.find((r) => r.id === controllerId)?.apiValues.get(`${this.o.ess.id}/SetActivePowerEquals`) ?? null;
  }

  /** Time passes on the Edge: the grid counters count what `gridW` moved meanwhile. */
  advance(ms: number, gridW = this.gridW): void {
    const wh = (gridW * ms) / 3_600_000;
    const add = (a: string, d: number) => this.set(a, Math.round(Number(this.channels.get(a)?.value ?? 0) + d));
    if (wh > 0) {
      add("_sum/GridBuyActiveEnergy", wh);
      add("meter0/ActiveProductionEnergy", wh);
    } else {
      add("_sum/GridSellActiveEnergy", -wh);
      add("meter0/ActiveConsumptionEnergy", -wh);
    }
  }

  /** The controllers in the order the Edge runs them (CycleWorker over the sorted schedulers). */
  runOrder(): string[] {
    const all = [
      ...this.rest.map((r) => ({ id: r.id, properties: { enabled: true } as Record<string, unknown> })),
      ...this.controllers.map((c) => ({ id: c.id, properties: c.properties ?? {} })),
    ];
    const enabled = all.filter((c) => c.properties.enabled !== false).map((c) => c.id);
    const order: string[] = [];
    for (const s of [...this.schedulers].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const listed = s.ids.filter((id) => id.trim() !== "");
      const ids = s.factoryId === "Scheduler.FixedOrder" ? listed : [...new Set([...listed, ...[...enabled].sort()])];
      order.push(...ids.filter((id) => enabled.includes(id)));
    }
    return order;
  }

  /** One Edge cycle: the API workers' timers, then the controllers in order, fitted as OpenEMS fits them. */
  private settle(): void {
    for (const r of this.rest) {
      const timeout = r.apiTimeoutSeconds * 1000;
      if (timeout > 0 && r.timerFrom !== null && this.now() - r.timerFrom >= timeout) {
        r.apiValues.clear();
        r.timerFrom = null;
      }
      this.set(`${r.id}/ApiWorkerLog`, [...r.apiValues].map(([a, v]) => `${a}:${v}`).join("|"));
    }
    const e = this.o.ess;
    const num = (a: string) => {
      const v = this.channels.get(a)?.value;
      return typeof v === "number" ? v : null;
    };
    let lo = Math.max(-e.maxChargeW, num(`${e.id}/AllowedChargePower`) ?? -e.maxChargeW);
    let hi = Math.min(e.maxDischargeW, num(`${e.id}/AllowedDischargePower`) ?? e.maxDischargeW);
    let fixed: number | null = null;
    const equals = (v: number) => {
      fixed = Math.max(lo, Math.min(hi, v));
      lo = fixed;
      hi = fixed;
    };
    const soc = num(`${e.id}/Soc`) ?? 0;
    for (const id of this.runOrder()) {
      const r = this.rest.find((c) => c.id === id);
      if (r) {
        const asked = r.apiValues.get(`${e.id}/SetActivePowerEquals`);
        if (asked !== undefined) equals(asked);
        continue;
      }
      const c = this.controllers.find((x) => x.id === id);
      const p = c?.properties ?? {};
      if (p["ess.id"] !== undefined && p["ess.id"] !== e.id) continue;
      switch (c?.factoryId) {
        case "Controller.Ess.Limiter14a":
          if (this.limiter14aActive) lo = Math.max(lo, Math.min(ESS_LIMIT_14A_ENWG, hi));
          break;
        case "Controller.Ess.EmergencyCapacityReserve":
          if (soc <= Number(p.reserveSoc ?? 20)) hi = Math.min(hi, Math.max(0, lo));
          break;
        case "Controller.Ess.LimitTotalDischarge":
          if (soc <= Number(p.minSoc ?? 10)) hi = Math.min(hi, Math.max(0, lo));
          break;
        case "Controller.Symmetric.Balancing": {
          // EQUALS ess + grid − target: the battery takes the house's net load
          const net = (num("_sum/ConsumptionActivePower") ?? 0) - (num("_sum/ProductionActivePower") ?? 0);
          equals(net - Number(p.targetGridSetpoint ?? 0));
          break;
        }
        case "Controller.Ess.FixActivePower":
          equals(Number(p.power ?? 0));
          break;
      }
    }
    let ac = fixed ?? Math.max(lo, Math.min(hi, this.ownPowerW));
    if (!e.managed || !e.follows) ac = this.ownPowerW;
    this.set(`${e.id}/ActivePower`, ac);
    if (e.hybrid) {
      this.set("charger0/ActualPower", this.dcPvW);
      this.set(`${e.id}/DcDischargePower`, ac - this.dcPvW);
    }
  }

  private authenticate(req: IncomingMessage): { name: string; role: Role } {
    const [kind, token] = (req.headers.authorization ?? "").split(" ");
    if (kind?.toLowerCase() === "basic" && token) {
      const credentials = Buffer.from(token, "base64").toString();
      const p = credentials.indexOf(":");
      if (p !== -1) {
        const name = credentials.slice(0, p).trim();
        const password = credentials.slice(p + 1).trim();
        const user =
          this.o.users.find((u) => u.name === name && u.password === password) ??
          this.o.users.find((u) => u.password === password);
        if (user) return user;
      }
    }
    throw new EdgeFailure(1003, "Authentication failed", 401);
  }

  private assertRole(user: { role: Role }, resource: string, least: Role): void {
    if (RANK[user.role] > RANK[least])
      throw new EdgeFailure(
        1002,
        `Access to this resource [${resource}] is denied for User with Role [${user.role}]`,
        400,
      );
  }

  private energy(address: string, value: ChannelDoc["value"]): ChannelDoc["value"] {
    // EnergyValuesHandler: no _sum energy value until 60 s after the Edge started
    return address.startsWith("_sum/") && address.endsWith("Energy") && this.now() - this.startedAt < 60_000
      ? null
      : value;
  }

  private async handle(r: RestController, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0] ?? "";
    let role: Role | null = null;
    try {
      const user = this.authenticate(req);
      role = user.role;
      const body = req.method === "POST" ? await readBody(req) : "";
      if (path === "/jsonrpc") {
        if (r.accessMode === "READ_ONLY") throw new EdgeFailure(1, "REST-Api is in Read-Only mode", 400);
        this.assertRole(user, "HTTP POST JSON-RPC", "OWNER");
        return this.jsonrpc(JSON.parse(body) as { id?: string; method?: string }, res);
      }
      const m = /^\/rest\/channel\/([^/]+)\/([^/]+)$/.exec(path);
      if (!m) throw new EdgeFailure(1, `Unknown REST endpoint: ${path}`, 400);
      const address = `${m[1]}/${m[2]}`;
      if (req.method === "GET") {
        this.assertRole(user, "HTTP GET", "GUEST");
        this.settle();
        const c = this.channels.get(address);
        if (!c) return void res.writeHead(404).end();
        const { value, ...doc } = c;
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(
          JSON.stringify({
            address,
            ...doc,
            text: doc.text ?? "",
            ...(c.accessMode === "WO" ? {} : { value: this.energy(address, value) }),
          }),
        );
      }
      if (req.method !== "POST") throw new EdgeFailure(1, `Unhandled REST Channel request method [${req.method}]`, 400);
      if (r.accessMode === "READ_ONLY") throw new EdgeFailure(1, "REST-Api is in Read-Only mode", 400);
      this.assertRole(user, "HTTP POST", "OWNER");
      const parsed = JSON.parse(body) as { value?: unknown };
      if (!("value" in parsed)) throw new EdgeFailure(1, "Value is missing", 400);
      const c = this.channels.get(address);
      if (!c)
        throw new EdgeFailure(
          1,
          `Channel [${m[2]}] is not defined for ID [${m[1]}]. Implementation [io.openems.edge.ess.fenecon.commercial40.EssFeneconCommercial40Impl]`,
          400,
          ILLEGAL,
        );
      if (c.accessMode === "RO") throw new EdgeFailure(1, `[${address}] is not a Write Channel`, 400);
      const value = parsed.value === null || parsed.value === "" ? null : Number(parsed.value);
      if (this.gate && value !== null) {
        this.held++;
        await this.gate;
        this.landed++;
      }
      this.settle();
      if (value === null) r.apiValues.delete(address);
      else r.apiValues.set(address, value);
      r.timerFrom = this.now();
      this.writes.push({ channel: address, value, at: this.now(), user: user.name, controller: r.id });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    } catch (err) {
      const f = err instanceof EdgeFailure ? err : new EdgeFailure(1, String(err), 400);
      if (this.o.statusCodes === "jetty12") this.jettyError(req, res, f);
      else {
        const body = JSON.stringify({
          jsonrpc: "2.0",
          id: "00000000-0000-0000-0000-000000000000",
          error: { code: f.code, message: f.message, data: [] },
        });
        this.errors.push({ status: f.legacyStatus, accept: req.headers.accept, body });
        res.writeHead(f.legacyStatus, { "content-type": "application/json" }).end(body);
      }
    } finally {
      this.requests.push({ method: req.method ?? "", path, role, controller: r.id });
    }
  }

  /** Jetty 12's ErrorHandler for a failed callback: 500, the body the Accept header asks for. */
  private jettyError(req: IncomingMessage, res: ServerResponse, f: EdgeFailure): void {
    const message = `${f.javaClass}: ${f.message}`;
    const uri = `http://${req.headers.host ?? "localhost"}${req.url ?? ""}`;
    const accept = req.headers.accept;
    const wanted = accept === undefined ? ["text/html"] : accept.split(",").map((a) => a.split(";")[0]?.trim() ?? "");
    const kind = wanted.find((t) =>
      ["text/html", "text/*", "*/*", "application/json", "text/json", "text/plain"].includes(t),
    );
    let body = "";
    let type = "";
    if (kind === "application/json" || kind === "text/json") {
      type = `${kind};charset=utf-8`;
      // a HashMap's order: message, url, status; each value XML-sanitized and quoted
      const q = (s: string) => `"${sanitize(s).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
      body = `{\n${[
        ["message", message],
        ["url", uri],
        ["status", "500"],
      ]
        .map(([k, v]) => `${q(k ?? "")}:${q(v ?? "")}`)
        .join(",\n")}\n}`;
    } else if (kind === "text/plain") {
      type = "text/plain;charset=iso-8859-1";
      body = `HTTP ERROR 500 ${sanitize(message)}\nURI: ${uri}\nSTATUS: 500\nMESSAGE: ${message}\n`;
    } else if (kind) {
      type = "text/html;charset=iso-8859-1";
      body =
        `<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n` +
        `<title>Error 500 ${sanitize(message)}</title>\n</head>\n<body>\n<h2>HTTP ERROR 500 ${sanitize(message)}</h2>\n` +
        `<table>\n<tr><th>URI:</th><td>${sanitize(uri)}</td></tr>\n<tr><th>STATUS:</th><td>500</td></tr>\n` +
        `<tr><th>MESSAGE:</th><td>${sanitize(message)}</td></tr>\n</table>\n` +
        `<hr/><a href="https://jetty.org/">Powered by Jetty:// 12.0.16</a><hr/>\n\n</body>\n</html>\n`;
    }
    this.errors.push({ status: 500, accept, body });
    res.writeHead(500, {
      "cache-control": "must-revalidate,no-cache,no-store",
      ...(type ? { "content-type": type } : {}),
    });
    res.end(body);
  }

  /** getEdgeConfig (`GetEdgeConfigRequest`, `EdgeConfig.toJson`): components and factories. */
  private jsonrpc(request: { id?: string; method?: string }, res: ServerResponse): void {
    if (request.method !== "getEdgeConfig") {
      // past the role check, RestHandler.handleJsonRpc answers a JSON-RPC error itself
      res.writeHead(400, { "content-type": "application/json" });
      return void res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: request.id ?? "0",
          error: { code: 1, message: `Unable to get Response: Unhandled request [${request.method}]`, data: [] },
        }),
      );
    }
    const e = this.o.ess;
    const components: Record<string, { alias: string; factoryId: string; properties: Record<string, unknown> }> = {};
    for (const r of this.rest)
      components[r.id] = {
        alias: r.id,
        factoryId: `Controller.Api.Rest.${r.accessMode === "READ_ONLY" ? "ReadOnly" : "ReadWrite"}`,
        properties: { enabled: true, port: r.port, apiTimeout: r.apiTimeoutSeconds, connectionlimit: 5 },
      };
    for (const c of this.controllers)
      components[c.id] = { alias: c.id, factoryId: c.factoryId, properties: { enabled: true, ...c.properties } };
    for (const s of this.schedulers)
      components[s.id] = {
        alias: s.id,
        factoryId: s.factoryId,
        properties: { enabled: true, "controllers.ids": s.ids },
      };
    components[e.id] = { alias: e.id, factoryId: e.factoryId, properties: { enabled: true } };
    if (e.hybrid)
      components.charger0 = {
        alias: "charger0",
        factoryId: "GoodWe.Charger-PV1",
        properties: { "essOrBatteryInverter.id": e.id },
      };
    const essNatures = [
      "io.openems.edge.common.component.OpenemsComponent",
      "io.openems.edge.ess.api.SymmetricEss",
      ...(e.managed ? ["io.openems.edge.ess.api.ManagedSymmetricEss"] : []),
      ...(e.hybrid ? ["io.openems.edge.ess.api.HybridEss"] : []),
    ];
    const factories: Record<string, { name: string; description: string; natureIds: string[] }> = {
      [e.factoryId]: { name: e.factoryId, description: "", natureIds: essNatures },
    };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id ?? "0", result: { components, factories } }));
  }

  async start(): Promise<void> {
    for (const r of this.rest) {
      r.server = createServer((req, res) => {
        this.open++;
        this.maxOpen = Math.max(this.maxOpen, this.open);
        res.on("close", () => {
          this.open--;
        });
        void this.handle(r, req, res);
      });
      await new Promise<void>((done) => r.server.listen(0, "127.0.0.1", () => done()));
      r.port = (r.server.address() as { port: number }).port;
    }
  }

  async stop(): Promise<void> {
    for (const r of this.rest) {
      r.server.closeAllConnections();
      await new Promise<void>((done) => r.server.close(() => done()));
    }
  }
}

/** Jetty's StringUtil.sanitizeXmlString: the five XML characters as entities. */
function sanitize(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}
