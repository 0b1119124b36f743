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

/** Routes that take no bearer token, so a 401 from them is no expired session. */
const PUBLIC: ReadonlySet<HubRouteName> = new Set(["login", "register", "refresh", "logout"]);

/**
 * The pages' session: the access token (15 minutes) and the refresh token, kept for the tab.
 * When the access token has run out, the next call refreshes the pair once and goes on, so an
 * operator is not sent back to the login every quarter of an hour (and does not have to log in
 * again while someone is guessing the password).
 */
export class Api {
  /** One refresh at a time: the hub rotates refresh tokens, and a second use would end the session. */
  private refreshing: Promise<boolean> | null = null;

  constructor(private readonly storageKey: string) {}

  get token(): string | null {
    return sessionStorage.getItem(this.storageKey);
  }
  set token(t: string | null) {
    if (t) sessionStorage.setItem(this.storageKey, t);
    else sessionStorage.removeItem(this.storageKey);
  }

  private get refreshToken(): string | null {
    return sessionStorage.getItem(`${this.storageKey}.refresh`);
  }
  private set refreshToken(t: string | null) {
    if (t) sessionStorage.setItem(`${this.storageKey}.refresh`, t);
    else sessionStorage.removeItem(`${this.storageKey}.refresh`);
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
    const send = () =>
      fetch(path, {
        method: route.method,
        headers: {
          ...(this.token && !PUBLIC.has(name) ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let res = await send();
    if (res.status === 401 && !PUBLIC.has(name) && this.token && (await this.refresh())) res = await send();
    const data: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const p = (data ?? {}) as Partial<ProblemBody>;
      const fields = p.errors?.map((e) => `${e.field}: ${e.rule}`).join("; ");
      throw new ApiError(res.status, [p.detail || p.title || `HTTP ${res.status}`, fields].filter(Boolean).join(": "));
    }
    return data as HubResponse<HubApi[K]>;
  }

  /** A new pair for the stored refresh token; false (and logged out) when the hub refuses it. */
  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const refreshToken = this.refreshToken;
      if (!refreshToken) return false;
      try {
        this.keep(await this.call("refresh", { body: { refreshToken } }));
        return true;
      } catch {
        this.token = null;
        this.refreshToken = null;
        return false;
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private keep(pair: HubResponse<HubApi["login"]>): void {
    this.token = pair.accessToken;
    this.refreshToken = pair.refreshToken;
  }

  async login(email: string, password: string): Promise<void> {
    this.keep(await this.call("login", { body: { email, password } }));
  }

  async register(email: string, password: string): Promise<void> {
    this.keep(await this.call("register", { body: { email, password } }));
  }

  /** Ends the session on the hub too, so its tokens stop working at once. */
  async logout(): Promise<void> {
    const refreshToken = this.refreshToken;
    this.token = null;
    this.refreshToken = null;
    if (refreshToken) await this.call("logout", { body: { refreshToken } }).catch(() => undefined);
  }
}

export const ct = (p: number | null | undefined) =>
  p === null || p === undefined ? "–" : `${(p * 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} ct/kWh`;
export const kwh = (wh: number) => `${(wh / 1000).toLocaleString(undefined, { maximumFractionDigits: 2 })} kWh`;
