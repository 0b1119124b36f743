import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/**
 * STAND-IN for an OpenEMS Edge (not OpenEMS itself): no Edge runs on this machine. Each
 * behaviour copies the OpenEMS source file named beside it (github.com/OpenEMS/openems):
 *
 * - REST API, `io.openems.edge.controller.api.rest/…/RestHandler.java`: GET
 *   /rest/channel/<component>/<channel> answers `{ address, type, accessMode, text, unit, value }`
 *   (no `value` for a write-only channel); POST `{ "value": … }` goes to the API worker; GET needs
 *   the guest role, POST and /jsonrpc the owner role or higher; a read-only controller refuses
 *   POST and /jsonrpc ("REST-Api is in Read-Only mode"); basic auth by name and password, then by
 *   password alone. Errors carry a JSON-RPC error body (`JsonrpcResponseError`, codes from
 *   `OpenemsError.java`: 1002 role denied, 1003 authentication failed) and answer 401/400 on
 *   Edges before 2025.4 (`statusCodes: "legacy"`) and 500 on Jetty 12 Edges (`"jetty12"`).
 * - The default users of an Edge (`io.openems.edge.core/…/user/UserServiceImpl`): admin/admin,
 *   installer/installer, owner/owner, and the guest with password "user".
 * - API worker, `io.openems.edge.controller.api.common/…/ApiWorker.java`: one timer per
 *   controller, reset by every write from any client; when it fires every written value is
 *   dropped; `apiTimeout` 0 never fires (`readwrite/Config.java`, default 60 s); a null value
 *   removes the channel's write value; `ApiWorkerLog` lists `address:value` of what it writes,
 *   joined by `|`, with `-ERROR:<message>` on a failed write.
 * - Writing a channel that is not a write channel: `ApiWorker.handleSetChannelValueRequest`
 *   ("[…] is not a Write Channel"); a channel the component does not have (a battery that is
 *   not a `ManagedSymmetricEss` has no `SetActivePowerEquals`): `ComponentManager.getChannel`.
 * - The battery (`ManagedSymmetricEss`, `SymmetricEss`): `ActivePower` (W, + discharge) follows
 *   the set-point within its limits unless a controller scheduled before the REST controller
 *   constrains it (`override`), or the driver ignores set-points (`follows: false`).
 * - Energy (`Sum`, `SumImpl.java`; `ElectricityMeter`): `_sum/GridBuyActiveEnergy` and
 *   `_sum/GridSellActiveEnergy` count Wh bought and sold; on the grid meter `meter0`,
 *   `ActiveProductionEnergy` is bought and `ActiveConsumptionEnergy` sold.
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

export interface EdgeStandInOptions {
  users?: { name: string; password: string; role: Role }[];
  statusCodes?: "legacy" | "jetty12";
  accessMode?: "READ_WRITE" | "READ_ONLY";
  apiTimeoutSeconds?: number;
  controllerId?: string;
  /** The battery: a managed one takes set-points; its limits (W). */
  ess?: { id?: string; managed?: boolean; follows?: boolean; maxChargeW?: number; maxDischargeW?: number };
  /** The Edge's clock (default Date.now), for the API timeout and the energy counters. */
  now?: () => number;
}

export const DEFAULT_USERS: { name: string; password: string; role: Role }[] = [
  { name: "admin", password: "admin", role: "ADMIN" },
  { name: "installer", password: "installer", role: "INSTALLER" },
  { name: "owner", password: "owner", role: "OWNER" },
  { name: "guest", password: "user", role: "GUEST" },
];

class EdgeFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly legacyStatus: number,
  ) {
    super(message);
  }
}

export class EdgeStandIn {
  readonly channels = new Map<string, ChannelDoc>();
  /** Every POST that reached the API worker, in order. */
  readonly writes: { channel: string; value: number | null; at: number; user: string }[] = [];
  /** Every request, with the user's role (null: refused before a user was known). */
  readonly requests: { method: string; path: string; role: Role | null }[] = [];
  /** A controller scheduled before the REST controller constrains the battery: W in, W out. */
  override: ((w: number) => number) | null = null;
  /** What the battery does under its own controllers when the API holds no set-point (W). */
  ownPowerW = 0;
  /** Grid power now (W, + buy), integrated into the counters by `advance`. */
  gridW = 0;
  maxOpen = 0;
  url = "";
  private open = 0;
  private server!: Server;
  private readonly apiValues = new Map<string, number>();
  private timerFrom: number | null = null;
  readonly o: Required<Omit<EdgeStandInOptions, "ess" | "now">> & {
    ess: Required<NonNullable<EdgeStandInOptions["ess"]>>;
  };
  private readonly now: () => number;

  constructor(options: EdgeStandInOptions = {}) {
    this.now = options.now ?? Date.now;
    this.o = {
      users: options.users ?? DEFAULT_USERS,
      statusCodes: options.statusCodes ?? "jetty12",
      accessMode: options.accessMode ?? "READ_WRITE",
      apiTimeoutSeconds: options.apiTimeoutSeconds ?? 60,
      controllerId: options.controllerId ?? "ctrlApiRest0",
      ess: {
        id: "ess0",
        managed: true,
        follows: true,
        maxChargeW: 5000,
        maxDischargeW: 5000,
        ...options.ess,
      },
    };
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
    this.channels.set("meter0/ActiveProductionEnergy", ro("LONG", "Wh_Σ", 0));
    this.channels.set("meter0/ActiveConsumptionEnergy", ro("LONG", "Wh_Σ", 0));
    this.channels.set(`${e}/Soc`, ro("INTEGER", "%", 50));
    this.channels.set(`${e}/Capacity`, ro("INTEGER", "Wh", 10_000));
    this.channels.set(`${e}/ActivePower`, ro("INTEGER", "W", 0));
    if (this.o.ess.managed)
      this.channels.set(`${e}/SetActivePowerEquals`, { type: "INTEGER", accessMode: "WO", unit: "W", value: null });
    this.channels.set(`${this.o.controllerId}/ApiWorkerLog`, ro("STRING", "", null));
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

  /** The set-point the API worker writes now (W), or null. */
  get apiSetpointW(): number | null {
    this.settle();
    return this.apiValues.get(`${this.o.ess.id}/SetActivePowerEquals`) ?? null;
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

  /** The API worker's timer, and the battery following what it writes. */
  private settle(): void {
    const timeout = this.o.apiTimeoutSeconds * 1000;
    if (timeout > 0 && this.timerFrom !== null && this.now() - this.timerFrom >= timeout) {
      this.apiValues.clear();
      this.timerFrom = null;
    }
    const e = this.o.ess;
    const asked = this.apiValues.get(`${e.id}/SetActivePowerEquals`);
    let w =
      asked === undefined || !e.follows ? this.ownPowerW : Math.max(-e.maxChargeW, Math.min(e.maxDischargeW, asked));
    if (this.override) w = this.override(w);
    this.set(`${e.id}/ActivePower`, w);
    this.set(`${this.o.controllerId}/ApiWorkerLog`, [...this.apiValues].map(([a, v]) => `${a}:${v}`).join("|"));
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0] ?? "";
    let role: Role | null = null;
    try {
      const user = this.authenticate(req);
      role = user.role;
      const body = req.method === "POST" ? await readBody(req) : "";
      if (path === "/jsonrpc") {
        if (this.o.accessMode === "READ_ONLY") throw new EdgeFailure(1, "REST-Api is in Read-Only mode", 400);
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
          JSON.stringify({ address, ...doc, text: doc.text ?? "", ...(c.accessMode === "WO" ? {} : { value }) }),
        );
      }
      if (req.method !== "POST") throw new EdgeFailure(1, `Unhandled REST Channel request method [${req.method}]`, 400);
      if (this.o.accessMode === "READ_ONLY") throw new EdgeFailure(1, "REST-Api is in Read-Only mode", 400);
      this.assertRole(user, "HTTP POST", "OWNER");
      const parsed = JSON.parse(body) as { value?: unknown };
      if (!("value" in parsed)) throw new EdgeFailure(1, "Value is missing", 400);
      const c = this.channels.get(address);
      // ComponentManager.getChannel throws an IllegalArgumentException that is no
      // OpenemsNamedException: Jetty answers it with its own 500 page, not a JSON-RPC error
      if (!c) return void res.writeHead(500, { "content-type": "text/html" }).end(jettyPage(address));
      if (c.accessMode === "RO") throw new EdgeFailure(1, `[${address}] is not a Write Channel`, 400);
      this.settle();
      const value = parsed.value === null || parsed.value === "" ? null : Number(parsed.value);
      if (value === null) this.apiValues.delete(address);
      else this.apiValues.set(address, value);
      this.timerFrom = this.now();
      this.writes.push({ channel: address, value, at: this.now(), user: user.name });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    } catch (err) {
      const f = err instanceof EdgeFailure ? err : new EdgeFailure(1, String(err), 400);
      const status = this.o.statusCodes === "jetty12" ? 500 : f.legacyStatus;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: "00000000-0000-0000-0000-000000000000",
          error: { code: f.code, message: f.message, data: [] },
        }),
      );
    } finally {
      this.requests.push({ method: req.method ?? "", path, role });
    }
  }

  /** getEdgeConfig (`GetEdgeConfigRequest`): the components and their properties. */
  private jsonrpc(request: { id?: string; method?: string }, res: ServerResponse): void {
    if (request.method !== "getEdgeConfig")
      throw new EdgeFailure(3, `Unhandled JSON-RPC method [${request.method}]`, 400);
    const components = {
      [this.o.controllerId]: {
        alias: this.o.controllerId,
        factoryId: `Controller.Api.Rest.${this.o.accessMode === "READ_ONLY" ? "ReadOnly" : "ReadWrite"}`,
        properties: { enabled: true, port: 8084, apiTimeout: this.o.apiTimeoutSeconds, connectionlimit: 5 },
      },
      [this.o.ess.id]: {
        alias: this.o.ess.id,
        factoryId: this.o.ess.managed ? "Ess.Generic.ManagedSymmetric" : "Ess.Fenecon.Commercial40",
        properties: { enabled: true },
      },
    };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id ?? "0", result: { components, factories: {} } }));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      res.on("close", () => {
        this.open--;
      });
      void this.handle(req, res);
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
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

function jettyPage(address: string): string {
  return `<html><head><title>Error 500 Server Error</title></head><body><h2>HTTP ERROR 500 java.lang.IllegalArgumentException: Channel [${address}] is not defined</h2></body></html>`;
}
