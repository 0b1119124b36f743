import {
  type Commodity,
  type HubBody,
  type HubQuery,
  type HubResponse,
  type HubRouteDef,
  hubApi,
  hubPath,
  type MeterReading,
  type OrderInput,
  type PathParams,
  type PeriodKind,
  ProblemBody,
  type Query,
  type StandingPreference,
  successSchema,
  type TokenPair,
} from "@openlem/protocol";
import axios, { type AxiosError, type AxiosInstance } from "axios";
import type { z } from "zod";
import { HubError } from "./errors.js";

/** How a household-side program proves who it is. */
export type HubAuth =
  /** A household device's token (the usual case for bridges and Node-RED). */
  | { deviceToken: string }
  /** A person's account; the client logs in, refreshes the access token and logs in again if needed. */
  | { email: string; password: string };

export interface RetryOptions {
  /** Attempts after the first one. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RestOptions {
  /** The hub's base URL, e.g. http://localhost:8787 */
  url: string;
  communityId: string;
  /** The household this client acts for (a device token's own household). */
  householdId: string;
  auth: HubAuth;
  retry?: Partial<RetryOptions>;
  /** Per request (ms). */
  timeoutMs?: number;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The hub's REST API, typed with the protocol's schemas: every answer is parsed, so a hub
 * that answers something else is noticed at once. Network errors and 502/503/504 are
 * retried with exponential backoff and jitter; a 4xx answer is never retried (it would be
 * refused again). Orders and readings are idempotent on the hub, so retrying them is safe.
 */
export class HubRest {
  private readonly http: AxiosInstance;
  private readonly retry: RetryOptions;
  private tokens: { access: string; refresh?: string } | undefined;
  private loggingIn: Promise<void> | undefined;

  constructor(readonly options: RestOptions) {
    this.http = axios.create({
      baseURL: options.url,
      timeout: options.timeoutMs ?? 10_000,
      validateStatus: () => true,
    });
    this.retry = { retries: 4, baseDelayMs: 200, maxDelayMs: 5_000, ...options.retry };
    if ("deviceToken" in options.auth) this.tokens = { access: options.auth.deviceToken };
  }

  /**
   * Calls a route of the hub's API table: the path filled from `params` (this client's community
   * and household unless given), the answer parsed with the route's own schema.
   */
  call<R extends HubRouteDef>(route: R, input: CallInput<R> = {}): Promise<HubResponse<R>> {
    const params = {
      communityId: this.options.communityId,
      householdId: this.options.householdId,
      ...input.params,
    } as PathParams<R["path"]>;
    const path = hubPath(route, params, (input.query ?? {}) as Query);
    return this.request(route.method, path, successSchema(route), input.body, {
      auth: route.secured,
    }) as Promise<HubResponse<R>>;
  }

  /** Sends a request with retries (and the token, unless `auth` is false); parses the answer with `schema`. */
  async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
    { auth = true }: { auth?: boolean } = {},
  ): Promise<z.output<S>> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      if (auth) await this.ensureToken();
      let res: { status: number; data: unknown };
      try {
        res = await this.http.request({
          method,
          url: path,
          data: body,
          headers: auth && this.tokens ? { authorization: `Bearer ${this.tokens.access}` } : {},
        });
      } catch (err) {
        if (attempt < this.retry.retries) {
          await sleep(this.backoff(attempt));
          continue;
        }
        const reason = (err as AxiosError).code ?? (err as Error).message;
        throw new HubError(0, "Hub unreachable", `the hub at ${this.options.url} did not answer (${reason})`);
      }
      if (res.status === 401 && auth && !refreshed && !("deviceToken" in this.options.auth)) {
        refreshed = true;
        await this.renewToken();
        attempt--;
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status) && attempt < this.retry.retries) {
        await sleep(this.backoff(attempt));
        continue;
      }
      if (res.status >= 400) throw problem(res.status, res.data);
      return schema.parse(res.data);
    }
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    return exp / 2 + Math.random() * (exp / 2);
  }

  private async ensureToken(): Promise<void> {
    if (this.tokens) return;
    await this.renewToken();
  }

  /** Refreshes the access token, or logs in again when the refresh token is gone too. */
  private renewToken(): Promise<void> {
    this.loggingIn ??= (async () => {
      const auth = this.options.auth;
      if ("deviceToken" in auth) return;
      const refresh = this.tokens?.refresh;
      let pair: TokenPair | undefined;
      if (refresh) {
        pair = await this.call(hubApi.refresh, { body: { refreshToken: refresh } }).catch(() => undefined);
      }
      pair ??= await this.call(hubApi.login, { body: { email: auth.email, password: auth.password } });
      this.tokens = { access: pair.accessToken, refresh: pair.refreshToken };
    })().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  /** The current bearer token (for the MQTT connection). */
  async token(): Promise<string> {
    await this.ensureToken();
    return this.tokens?.access ?? "";
  }

  /** Forces a new access token (for a reconnect after it expired). */
  async freshToken(): Promise<string> {
    if (!("deviceToken" in this.options.auth)) await this.renewToken();
    return this.token();
  }

  me = () => this.call(hubApi.me);
  community = () => this.call(hubApi.community);
  clock = () => this.call(hubApi.clock);

  submitOrder = (order: OrderInput) => this.call(hubApi.submitOrder, { body: order });
  submitOrders = async (orders: OrderInput[]) => (await this.call(hubApi.submitOrders, { body: { orders } })).orders;
  replaceOrder = (id: string | number, order: OrderInput) =>
    this.call(hubApi.replaceOrder, { params: { orderId: id }, body: order });
  cancelOrder = (id: string | number) => this.call(hubApi.cancelOrder, { params: { orderId: id } });
  orders = (q: HubQuery<typeof hubApi.listOrders> = {}) => this.call(hubApi.listOrders, { query: q });

  submitReadings = (readings: MeterReading[]) => this.call(hubApi.submitReadings, { body: { readings } });
  energy = (q: HubQuery<typeof hubApi.energy> = {}) => this.call(hubApi.energy, { query: q });

  setPreference = (p: z.input<typeof StandingPreference>) => this.call(hubApi.setPreference, { body: p });
  preferences = () => this.call(hubApi.listPreferences);

  results = (q: { from?: string; to?: string; commodity?: Commodity } = {}) => this.call(hubApi.results, { query: q });
  fills = (q: HubQuery<typeof hubApi.fills> = {}) => this.call(hubApi.fills, { query: q });
  statement = (period: PeriodKind = "day", date?: string) => this.call(hubApi.statement, { query: { period, date } });
  kpis = (period: PeriodKind = "day", date?: string) => this.call(hubApi.kpis, { query: { period, date } });
}

/** What a call of a route takes: path parameters beyond the client's own, query and body. */
export interface CallInput<R extends HubRouteDef> {
  params?: Partial<PathParams<R["path"]>>;
  query?: HubQuery<R>;
  body?: HubBody<R>;
}

function problem(status: number, data: unknown): HubError {
  const p = ProblemBody.partial().safeParse(data);
  if (p.success) {
    return new HubError(status, p.data.title ?? "Error", p.data.detail || `HTTP ${status}`, p.data.errors ?? []);
  }
  return new HubError(status, "Error", `HTTP ${status}`);
}
