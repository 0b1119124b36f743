import {
  type Commodity,
  Community,
  Fill,
  Kpis,
  MarketClock,
  Me,
  type MeterReading,
  type OrderInput,
  OrderRecord,
  type PeriodKind,
  SlotEnergy,
  SlotResult,
  StandingPreference,
  Statement,
  TokenPair,
} from "@openlem/protocol";
import axios, { type AxiosError, type AxiosInstance } from "axios";
import { z } from "zod";
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

  private get c() {
    return `/api/communities/${encodeURIComponent(this.options.communityId)}`;
  }
  private get h() {
    return `${this.c}/households/${encodeURIComponent(this.options.householdId)}`;
  }

  /** Sends a request with auth and retries; parses the answer with `schema`. */
  async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
    auth = true,
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
        pair = await this.request("POST", "/api/auth/refresh", TokenPair, { refreshToken: refresh }, false).catch(
          () => undefined,
        );
      }
      pair ??= await this.request(
        "POST",
        "/api/auth/login",
        TokenPair,
        { email: auth.email, password: auth.password },
        false,
      );
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

  me = () => this.request("GET", "/api/me", Me);
  community = () => this.request("GET", this.c, Community);
  clock = () => this.request("GET", `${this.c}/clock`, MarketClock);

  submitOrder = (order: OrderInput) => this.request("POST", `${this.h}/orders`, OrderRecord, order);
  submitOrders = async (orders: OrderInput[]) =>
    (await this.request("POST", `${this.h}/orders/batch`, z.object({ orders: z.array(OrderRecord) }), { orders }))
      .orders;
  replaceOrder = (id: string, order: OrderInput) => this.request("PUT", `${this.h}/orders/${id}`, OrderRecord, order);
  cancelOrder = (id: string) => this.request("DELETE", `${this.h}/orders/${id}`, OrderRecord);
  orders = (q: { from?: string; to?: string } = {}) =>
    this.request("GET", `${this.h}/orders${query(q)}`, z.array(OrderRecord));

  submitReadings = (readings: MeterReading[]) =>
    this.request("POST", `${this.c}/readings`, z.object({ accepted: z.number(), duplicates: z.number() }), {
      readings,
    });
  energy = (q: { from?: string; to?: string } = {}) =>
    this.request("GET", `${this.h}/energy${query(q)}`, z.array(SlotEnergy));

  setPreference = (p: z.input<typeof StandingPreference>) =>
    this.request("PUT", `${this.h}/preferences`, StandingPreference, p);

  results = (q: { from?: string; to?: string; commodity?: Commodity } = {}) =>
    this.request("GET", `${this.c}/results${query(q)}`, z.array(SlotResult));
  fills = (q: { from?: string; to?: string } = {}) => this.request("GET", `${this.h}/fills${query(q)}`, z.array(Fill));
  statement = (period: PeriodKind = "day", date?: string) =>
    this.request("GET", `${this.h}/statement${query({ period, date })}`, Statement);
  kpis = (period: PeriodKind = "day", date?: string) =>
    this.request("GET", `${this.c}/kpis${query({ period, date })}`, Kpis);
}

function query(q: Record<string, string | undefined>): string {
  const entries = Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : "";
}

const ProblemShape = z.object({
  title: z.string().default("Error"),
  detail: z.string().default(""),
  errors: z.array(z.object({ field: z.string(), rule: z.string() })).default([]),
});

function problem(status: number, data: unknown): HubError {
  const p = ProblemShape.safeParse(data);
  if (p.success) return new HubError(status, p.data.title, p.data.detail || `HTTP ${status}`, p.data.errors);
  return new HubError(status, "Error", `HTTP ${status}`);
}
