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

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json().catch(() => null)) as
      | (T & { detail?: string; title?: string; errors?: { field: string; rule: string }[] })
      | null;
    if (!res.ok) {
      const fields = data?.errors?.map((e) => `${e.field}: ${e.rule}`).join("; ");
      throw new ApiError(
        res.status,
        [data?.detail || data?.title || `HTTP ${res.status}`, fields].filter(Boolean).join(": "),
      );
    }
    return data as T;
  }

  async login(email: string, password: string): Promise<void> {
    const pair = await this.call<{ accessToken: string }>("POST", "/api/auth/login", { email, password });
    this.token = pair.accessToken;
  }

  async register(email: string, password: string): Promise<void> {
    const pair = await this.call<{ accessToken: string }>("POST", "/api/auth/register", { email, password });
    this.token = pair.accessToken;
  }
}

export const ct = (p: number | null | undefined) =>
  p === null || p === undefined ? "–" : `${(p * 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} ct/kWh`;
export const kwh = (wh: number) => `${(wh / 1000).toLocaleString(undefined, { maximumFractionDigits: 2 })} kWh`;
