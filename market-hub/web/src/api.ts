import type { HubApi, HubBody, HubQuery, HubResponse, ProblemBody } from "@openlem/protocol";
import { HUB_ROUTES, type HubRouteName, hubPath, type PathParams, type Query } from "@openlem/protocol/routes";

/** The hub's REST API from the browser: same origin, bearer token, problems as one readable line. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(private readonly storageKey: string) {}

  get token(): string | null {
    return sessionStorage.getItem(this.storageKey);
  }
  set token(t: string | null) {
    if (t) sessionStorage.setItem(this.storageKey, t);
    else sessionStorage.removeItem(this.storageKey);
  }

  /**
   * Calls a route of the protocol's API table by its name; typed by the table. Answers are not
   * parsed again here (the hub's responses are serialised through the same schemas), which keeps
   * zod out of the pages' bundle.
   */
  async call<K extends HubRouteName>(
    name: K,
    input: {
      params?: PathParams<HubApi[K]["path"]>;
      query?: HubQuery<HubApi[K]>;
      body?: HubBody<HubApi[K]>;
    } = {},
  ): Promise<HubResponse<HubApi[K]>> {
    const route = HUB_ROUTES[name];
    const path = hubPath(
      route,
      (input.params ?? {}) as PathParams<(typeof route)["path"]>,
      (input.query ?? {}) as Query,
    );
    const { body } = input;
    const res = await fetch(path, {
      method: route.method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const p = (data ?? {}) as Partial<ProblemBody>;
      const fields = p.errors?.map((e) => `${e.field}: ${e.rule}`).join("; ");
      throw new ApiError(res.status, [p.detail || p.title || `HTTP ${res.status}`, fields].filter(Boolean).join(": "));
    }
    return data as HubResponse<HubApi[K]>;
  }

  async login(email: string, password: string): Promise<void> {
    const pair = await this.call("login", { body: { email, password } });
    this.token = pair.accessToken;
  }

  async register(email: string, password: string): Promise<void> {
    const pair = await this.call("register", { body: { email, password } });
    this.token = pair.accessToken;
  }
}

export const ct = (p: number | null | undefined) =>
  p === null || p === undefined ? "–" : `${(p * 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} ct/kWh`;
export const kwh = (wh: number) => `${(wh / 1000).toLocaleString(undefined, { maximumFractionDigits: 2 })} kWh`;
