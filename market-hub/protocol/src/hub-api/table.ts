import { z } from "zod";
import {
  DeviceToken,
  DeviceTokenCreated,
  DeviceTokenRequest,
  Login,
  Me,
  Meter,
  MeterLink,
  MeterRegistered,
  MeterRegistration,
  RefreshRequest,
  Registration,
  TokenPair,
} from "../api.js";
import { CommunityId, HouseholdId, MeterId } from "../ids.js";
import { Commodity, Community, MarketClock, MarketConfig } from "../market.js";
import { BookCurves, OrderBatch, OrderInput, OrderRecord, OrderStatus, StandingPreference } from "../order.js";
import { TimeRange } from "../range.js";
import { ReadingBatch, SlotEnergy } from "../reading.js";
import { Fill, SlotResult } from "../result.js";
import { Kpis, Statement } from "../settlement.js";
import { LocalDate, PeriodKind, UtcInstant } from "../time.js";
import { limitText, MAX_LISTED } from "./limits.js";
import { HUB_ROUTES, type HubRouteName, type HubRoutePath } from "./routes.js";

/** Every error the API answers: application/problem+json (RFC 9457), fields named with their rule. */
export const ProblemBody = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), rule: z.string() })),
  })
  .meta({ id: "Problem", description: "An error (RFC 9457 problem details); errors name each field and its rule." });
export type ProblemBody = z.infer<typeof ProblemBody>;

export type SuccessStatus = 200 | 201 | 204;
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429;

/** A route of the hub's REST API: what it takes, what it answers, and which errors it gives. */
export interface HubRouteDef extends HubRoutePath {
  readonly tags: readonly string[];
  readonly summary: string;
  /** Takes a bearer token: an account's access token or a household device token. */
  readonly secured: boolean;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly responses: Readonly<Partial<Record<SuccessStatus, z.ZodType>>>;
  /** The problem+json answers it documents (others, such as 500, are always possible). */
  readonly errors: readonly ErrorStatus[];
  /** Counted against the per-address limit for account routes (OPENLEM_AUTH_RATE_PER_MINUTE). */
  readonly rateLimited?: boolean;
}

const C = z.object({ communityId: CommunityId });
const CH = C.extend({ householdId: HouseholdId });
const CHO = CH.extend({ orderId: z.coerce.number().int().positive() });
const PeriodQuery = z.object({
  period: PeriodKind.default("day"),
  /** A local date in the community's time zone; default today. */
  date: LocalDate.optional(),
});
export const ReadingsAccepted = z.object({ accepted: z.number().int(), duplicates: z.number().int() });
export const SlotToClear = z.object({ slot: UtcInstant, commodity: Commodity.default("electricity") });
export const OrderList = z.object({ orders: z.array(OrderRecord) });

/** The errors of a route that takes a token and may be refused, not found, or conflict. */
const SECURED: readonly ErrorStatus[] = [400, 401, 403, 404, 409, 422];
const secured = { secured: true, errors: SECURED } as const;

/**
 * The hub's REST API, one entry per route: the server registers these, `@openlem/client`, the
 * hub's web pages and the energy card call them, and the OpenAPI document is generated from
 * them. Named as in HUB_ROUTES.
 */
export const hubApi = {
  register: {
    ...HUB_ROUTES.register,
    tags: ["accounts"],
    summary: "Create an account (an observer until a meter is linked)",
    secured: false,
    rateLimited: true,
    body: Registration,
    responses: { 201: TokenPair },
    errors: [400, 409, 429],
  },
  login: {
    ...HUB_ROUTES.login,
    tags: ["accounts"],
    summary: "Log in; failed logins slow down further attempts for the account (429 with Retry-After)",
    secured: false,
    rateLimited: true,
    body: Login,
    responses: { 200: TokenPair },
    errors: [400, 401, 429],
  },
  refresh: {
    ...HUB_ROUTES.refresh,
    tags: ["accounts"],
    summary: "Exchange a refresh token for a new token pair",
    secured: false,
    rateLimited: true,
    body: RefreshRequest,
    responses: { 200: TokenPair },
    errors: [400, 401, 429],
  },
  logout: {
    ...HUB_ROUTES.logout,
    tags: ["accounts"],
    summary: "Retire a refresh token",
    secured: false,
    body: RefreshRequest,
    responses: { 204: z.null().describe("retired") },
    errors: [400],
  },
  me: {
    ...HUB_ROUTES.me,
    tags: ["accounts"],
    summary: "Who the token belongs to",
    secured: true,
    responses: { 200: Me },
    errors: [401],
  },

  listCommunities: {
    ...HUB_ROUTES.listCommunities,
    ...secured,
    tags: ["communities"],
    summary: "Communities and their market rules",
    responses: { 200: z.array(Community) },
  },
  createCommunity: {
    ...HUB_ROUTES.createCommunity,
    ...secured,
    tags: ["communities"],
    summary: "Create a community (operators)",
    body: Community,
    responses: { 201: Community },
  },
  community: {
    ...HUB_ROUTES.community,
    ...secured,
    tags: ["communities"],
    summary: "A community and its market rules",
    params: C,
    responses: { 200: Community },
  },
  clock: {
    ...HUB_ROUTES.clock,
    ...secured,
    tags: ["communities"],
    summary: "The hub's market time: the current slot and the next one that takes orders",
    params: C,
    responses: { 200: MarketClock },
  },
  updateMarket: {
    ...HUB_ROUTES.updateMarket,
    ...secured,
    tags: ["communities"],
    summary: "Change the market rules (operators); slots already cleared keep theirs",
    params: C,
    body: MarketConfig,
    responses: { 200: Community },
  },

  registerMeter: {
    ...HUB_ROUTES.registerMeter,
    ...secured,
    tags: ["meters"],
    summary: "Register a meter (operators); the response shows its PIN once",
    params: C,
    body: MeterRegistration,
    responses: { 201: MeterRegistered },
  },
  listMeters: {
    ...HUB_ROUTES.listMeters,
    ...secured,
    tags: ["meters"],
    summary: "Meters: all for operators, a participant's own otherwise",
    params: C,
    responses: { 200: z.array(Meter) },
  },
  linkMeter: {
    ...HUB_ROUTES.linkMeter,
    tags: ["meters"],
    summary:
      "Link a meter to your account with its id and PIN; after 5 wrong PINs the account waits 15 minutes (429 with Retry-After)",
    secured: true,
    rateLimited: true,
    body: MeterLink,
    responses: { 200: Meter },
    errors: [...SECURED, 429],
  },
  unlinkMeter: {
    ...HUB_ROUTES.unlinkMeter,
    ...secured,
    tags: ["meters"],
    summary: "Unlink a meter from its account (operators)",
    params: C.extend({ meterId: MeterId }),
    responses: { 200: Meter },
  },
  issueMeterPin: {
    ...HUB_ROUTES.issueMeterPin,
    ...secured,
    tags: ["meters"],
    summary:
      "A new PIN for a meter nobody has linked (operators): the old PIN stops working, and a meter locked by wrong guesses takes PINs again; shown once",
    params: C.extend({ meterId: MeterId }),
    responses: { 200: MeterRegistered },
  },
  submitReadings: {
    ...HUB_ROUTES.submitReadings,
    ...secured,
    tags: ["meters"],
    summary: "Report meter readings (cumulative registers); a reading sent twice counts once",
    params: C,
    body: ReadingBatch,
    responses: { 200: ReadingsAccepted },
  },
  energy: {
    ...HUB_ROUTES.energy,
    ...secured,
    tags: ["meters"],
    summary:
      "The household's metered energy per slot, with estimated and register-reset flags (default: today; at most 32 days an answer, Link rel=next for more)",
    params: CH,
    query: TimeRange,
    responses: { 200: z.array(SlotEnergy) },
  },

  createDeviceToken: {
    ...HUB_ROUTES.createDeviceToken,
    ...secured,
    tags: ["devices"],
    summary: "A token for this household's devices (shown once)",
    params: CH,
    body: DeviceTokenRequest,
    responses: { 201: DeviceTokenCreated },
  },
  listDeviceTokens: {
    ...HUB_ROUTES.listDeviceTokens,
    ...secured,
    tags: ["devices"],
    summary: "This household's device tokens (without the tokens themselves)",
    params: CH,
    responses: { 200: z.array(DeviceToken) },
  },
  revokeDeviceToken: {
    ...HUB_ROUTES.revokeDeviceToken,
    ...secured,
    tags: ["devices"],
    summary: "Revoke a device token",
    params: z.object({ id: z.coerce.number().int().positive() }),
    responses: { 200: DeviceToken },
  },

  submitOrder: {
    ...HUB_ROUTES.submitOrder,
    ...secured,
    tags: ["orders"],
    summary: "Submit an order (201; 200 when the same clientOrderId and content were accepted before)",
    params: CH,
    body: OrderInput,
    responses: { 200: OrderRecord, 201: OrderRecord },
  },
  submitOrders: {
    ...HUB_ROUTES.submitOrders,
    ...secured,
    tags: ["orders"],
    summary: "Submit up to 1,000 orders at once, all or nothing",
    params: CH,
    body: OrderBatch,
    responses: { 200: OrderList, 201: OrderList },
  },
  listOrders: {
    ...HUB_ROUTES.listOrders,
    ...secured,
    tags: ["orders"],
    summary: `The household's orders, by delivery slot (at most ${limitText(MAX_LISTED.orders)}, the earliest first)`,
    params: CH,
    query: TimeRange.safeExtend({ status: OrderStatus.optional() }),
    responses: { 200: z.array(OrderRecord) },
  },
  replaceOrder: {
    ...HUB_ROUTES.replaceOrder,
    ...secured,
    tags: ["orders"],
    summary: "Replace an open order before gate closure",
    params: CHO,
    body: OrderInput,
    responses: { 200: OrderRecord },
  },
  cancelOrder: {
    ...HUB_ROUTES.cancelOrder,
    ...secured,
    tags: ["orders"],
    summary: "Cancel an open order before gate closure",
    params: CHO,
    responses: { 200: OrderRecord },
  },
  setPreference: {
    ...HUB_ROUTES.setPreference,
    ...secured,
    tags: ["orders"],
    summary: "Set the household's standing price preference for a commodity (ex-post mode)",
    params: CH,
    body: StandingPreference,
    responses: { 200: StandingPreference },
  },
  listPreferences: {
    ...HUB_ROUTES.listPreferences,
    ...secured,
    tags: ["orders"],
    summary: "The household's standing price preferences",
    params: CH,
    responses: { 200: z.array(StandingPreference) },
  },

  clearSlot: {
    ...HUB_ROUTES.clearSlot,
    ...secured,
    tags: ["clearing"],
    summary: "Clear a slot now (operators only); a slot clears once, later calls return its result",
    params: C,
    body: SlotToClear,
    responses: { 200: SlotResult, 201: SlotResult },
  },
  book: {
    ...HUB_ROUTES.book,
    ...secured,
    tags: ["clearing"],
    summary: `The order book of a slot, aggregated into demand and supply curves (operators only; at most ${limitText(MAX_LISTED.bookOrders)} orders)`,
    params: C,
    query: SlotToClear,
    responses: { 200: BookCurves },
  },
  results: {
    ...HUB_ROUTES.results,
    ...secured,
    tags: ["clearing"],
    summary: `Public clearing results (prices and volumes) by slot (at most ${limitText(MAX_LISTED.results)}, the latest of the range)`,
    params: C,
    query: TimeRange.safeExtend({ commodity: Commodity.default("electricity") }),
    responses: { 200: z.array(SlotResult) },
  },
  fills: {
    ...HUB_ROUTES.fills,
    ...secured,
    tags: ["clearing"],
    summary: `A household's own fills (private; at most ${limitText(MAX_LISTED.fills)}, the earliest first)`,
    params: CH,
    query: TimeRange,
    responses: { 200: z.array(Fill) },
  },
  statement: {
    ...HUB_ROUTES.statement,
    ...secured,
    tags: ["settlement"],
    summary: "A household's statement for a day, week or month of the community's calendar",
    params: CH,
    query: PeriodQuery,
    responses: { 200: Statement },
  },
  kpis: {
    ...HUB_ROUTES.kpis,
    ...secured,
    tags: ["settlement"],
    summary: "Community KPIs for a day, week or month (aggregates: readable by every account)",
    params: C,
    query: PeriodQuery,
    responses: { 200: Kpis },
  },
} as const satisfies Record<HubRouteName, HubRouteDef>;

export type HubApi = typeof hubApi;

/** What a route answers when it succeeds, as the caller gets it. */
export type HubResponse<R extends HubRouteDef> = z.output<NonNullable<R["responses"][keyof R["responses"]]>>;
/** What a route takes as its body, as the caller writes it (defaults may be left out). */
export type HubBody<R extends HubRouteDef> = R["body"] extends z.ZodType ? z.input<R["body"]> : undefined;
/** What a route takes as its query. */
export type HubQuery<R extends HubRouteDef> = R["query"] extends z.ZodType ? z.input<R["query"]> : undefined;

/** The one schema a successful answer of a route matches (its statuses share one shape). */
export function successSchema(route: HubRouteDef): z.ZodType {
  const schemas = Object.values(route.responses);
  const [first] = schemas;
  if (!first) throw new Error(`${route.method} ${route.path} has no success response`);
  return first;
}
