import { type ErrorStatus, type HubRouteDef, ProblemBody } from "@openlem/protocol";

/** OpenAPI security for routes that take a bearer token (access token or device token). */
export const security = [{ bearer: [] }];

/** An error answer as it goes out: application/problem+json (RFC 9457). */
export const problem = { content: { "application/problem+json": { schema: ProblemBody } } };
type ProblemResponses = Partial<Record<ErrorStatus, typeof problem>>;

/**
 * A route of the protocol's API table as fastify registers it: method, URL and the schemas that
 * validate the request, serialise the answer and make the OpenAPI document. Spread it into
 * `route()` and add the handler; the handler's request is typed from the same schemas.
 */
export function routeOf<R extends HubRouteDef>(route: R, limits: { authRatePerMinute?: number } = {}) {
  if (route.rateLimited && limits.authRatePerMinute === undefined) {
    throw new Error(`${route.method} ${route.path} is rate-limited: pass authRatePerMinute`);
  }
  const schema = {
    tags: [...route.tags],
    summary: route.summary,
    ...(route.secured ? { security } : {}),
    ...(route.params ? { params: route.params } : {}),
    ...(route.query ? { querystring: route.query } : {}),
    ...(route.body ? { body: route.body } : {}),
    response: {
      ...route.responses,
      ...Object.fromEntries(route.errors.map((status) => [status, problem])),
    },
  };
  return {
    method: route.method,
    url: route.path,
    ...(route.rateLimited ? { config: { rateLimit: { max: limits.authRatePerMinute, timeWindow: "1 minute" } } } : {}),
    schema: schema as {
      tags: string[];
      summary: string;
      params: R["params"] extends object ? R["params"] : undefined;
      querystring: R["query"] extends object ? R["query"] : undefined;
      body: R["body"] extends object ? R["body"] : undefined;
      response: R["responses"] & ProblemResponses;
    },
  };
}
