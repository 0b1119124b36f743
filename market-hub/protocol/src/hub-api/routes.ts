/*
 * The hub's REST routes: each one's method and path, named once. Free of zod, so that the
 * Lovelace cards can build a URL without carrying the schemas; the schemas of each route are in
 * table.ts under the same name. The server registers exactly these (a test compares them).
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface HubRoutePath {
  readonly method: HttpMethod;
  /** With `:name` for each path parameter, as fastify and the OpenAPI document write it. */
  readonly path: string;
}

const route = <M extends HttpMethod, P extends string>(method: M, path: P) => ({ method, path }) as const;

const C = "/api/communities/:communityId";
const H = `${C}/households/:householdId`;

export const HUB_ROUTES = {
  register: route("POST", "/api/auth/register"),
  login: route("POST", "/api/auth/login"),
  refresh: route("POST", "/api/auth/refresh"),
  logout: route("POST", "/api/auth/logout"),
  me: route("GET", "/api/me"),

  listCommunities: route("GET", "/api/communities"),
  createCommunity: route("POST", "/api/communities"),
  community: route("GET", C),
  clock: route("GET", `${C}/clock`),
  updateMarket: route("PUT", `${C}/market`),

  registerMeter: route("POST", `${C}/meters`),
  listMeters: route("GET", `${C}/meters`),
  linkMeter: route("POST", "/api/meters/link"),
  unlinkMeter: route("DELETE", `${C}/meters/:meterId/link`),
  issueMeterPin: route("POST", `${C}/meters/:meterId/pin`),
  submitReadings: route("POST", `${C}/readings`),
  energy: route("GET", `${H}/energy`),

  createDeviceToken: route("POST", `${H}/device-tokens`),
  listDeviceTokens: route("GET", `${H}/device-tokens`),
  revokeDeviceToken: route("DELETE", "/api/device-tokens/:id"),

  submitOrder: route("POST", `${H}/orders`),
  submitOrders: route("POST", `${H}/orders/batch`),
  listOrders: route("GET", `${H}/orders`),
  replaceOrder: route("PUT", `${H}/orders/:orderId`),
  cancelOrder: route("DELETE", `${H}/orders/:orderId`),
  setPreference: route("PUT", `${H}/preferences`),
  listPreferences: route("GET", `${H}/preferences`),

  clearSlot: route("POST", `${C}/clearings`),
  book: route("GET", `${C}/book`),
  results: route("GET", `${C}/results`),
  fills: route("GET", `${H}/fills`),
  statement: route("GET", `${H}/statement`),
  kpis: route("GET", `${C}/kpis`),
} as const satisfies Record<string, HubRoutePath>;

export type HubRouteName = keyof typeof HUB_ROUTES;

/** The names of a path's `:parameters`, as a type: "/a/:x/b/:y" gives "x" | "y". */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

export type PathParams<P extends string> = { [K in PathParamNames<P>]: string | number };

/** A query: values left undefined are left out. */
export type Query = Record<string, string | number | undefined>;

/**
 * The path of a route with its parameters filled in (each one URL-encoded) and the query
 * appended: `hubPath(HUB_ROUTES.statement, { communityId: "c", householdId: "h" }, { period: "week" })`.
 */
export function hubPath<R extends HubRoutePath>(route: R, params: PathParams<R["path"]>, query: Query = {}): string {
  const values = params as Record<string, string | number>;
  const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${route.method} ${route.path}: the path parameter ${name} is missing`);
    return encodeURIComponent(String(v));
  });
  const entries = Object.entries(query).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length
    ? `${path}?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
    : path;
}
