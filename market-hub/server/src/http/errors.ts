import { type FieldProblem, fieldPath, isRuleId, ProblemBody } from "@openlem/protocol";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import FindMyWay from "find-my-way";
import { Problem } from "./problem.js";

export { ProblemBody };

/** The rule a zod check names (protocol's `beyondSchema`), as fastify-type-provider-zod passes it on. */
function ruleOf(params: unknown): unknown {
  const inner = (params as { params?: { rule?: unknown } } | undefined)?.params;
  return inner?.rule;
}

/** Every error leaves the API as application/problem+json, validation errors with field and rule. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Problem, request, reply) => {
    let body: ProblemBody;
    if (err instanceof Problem) {
      body = problemBody(err.status, err.title, err.detail, err.errors);
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? "body";
      // Body fields are named as in docs/protocol.md ("orders[3].limitPrice"); others by where they are.
      const prefix = where === "body" ? [] : [where];
      const errors: FieldProblem[] = err.validation.map((v) => ({
        field: fieldPath([...prefix, ...pathSegments(v.instancePath)]),
        rule: v.message ?? v.keyword,
      }));
      // What the OpenAPI document says (shapes, types, formats, which fields go together) is a
      // 400 when broken. A rule it cannot say (protocol's RULES_BEYOND_SCHEMA: floor below cap,
      // a curve's direction, a time zone that exists) is broken by input of the right shape:
      // 422, as for the market's rules.
      body = err.validation.every((v) => v.keyword === "custom" && isRuleId(ruleOf(v.params)))
        ? problemBody(422, "Unprocessable content", `the ${where} breaks these rules; see errors`, errors)
        : problemBody(400, "Bad request", `the ${where} does not match the schema; see errors`, errors);
    } else if (isResponseSerializationError(err)) {
      request.log.error({ err }, "response does not match its schema");
      body = problemBody(500, "Internal server error", "the hub produced an invalid response; this is a bug");
    } else if (err.validation) {
      const errors = err.validation.map((v) => ({
        field: fieldPath(pathSegments(v.instancePath)),
        rule: v.message ?? "",
      }));
      body = problemBody(400, "Bad request", err.message, errors);
    } else if (typeof err.statusCode === "number" && err.statusCode < 500) {
      body = problemBody(err.statusCode, err.name || "Error", err.message);
    } else {
      request.log.error({ err }, "request failed");
      body = problemBody(500, "Internal server error", "something went wrong in the hub; the log has the details");
    }
    body.instance = request.url;
    return reply.status(body.status).type("application/problem+json").send(body);
  });
  // the routes by path, to tell a path that exists but not for this method (405) from none (404)
  const paths = FindMyWay();
  const methodsOf = new Map<string, Set<string>>();
  app.addHook("onRoute", (route) => {
    const set = methodsOf.get(route.url) ?? new Set<string>();
    if (!methodsOf.has(route.url)) paths.on("GET", route.url, () => undefined, { path: route.url });
    // Fastify announces the HEAD twin of a GET route under a prefix's trailing-slash path without
    // the GET itself: a HEAD the hub serves always comes with its GET
    for (const m of [route.method].flat()) for (const x of m === "HEAD" ? ["HEAD", "GET"] : [m]) set.add(x);
    methodsOf.set(route.url, set);
  });
  const notAllowed = (request: FastifyRequest, reply: FastifyReply, shadowedOnly = false) => {
    const found = paths.find("GET", request.url.split("?")[0] ?? "");
    const path = (found?.store as { path: string } | undefined)?.path;
    // with a route matched, only a path of its own that the match shadows is answered here
    if (shadowedOnly && (!path || path === request.routeOptions.url)) return null;
    const allowed = path ? methodsOf.get(path) : undefined;
    if (!allowed || allowed.has(request.method)) return null;
    const allow = [...allowed].sort().join(", ");
    const body = problemBody(405, "Method not allowed", `${request.url} takes ${allow}, not ${request.method}`);
    return reply
      .status(405)
      .header("allow", allow)
      .type("application/problem+json")
      .send({ ...body, instance: request.url });
  };
  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const sent = notAllowed(request, reply);
    if (sent) return sent;
    const body = problemBody(
      404,
      "Not found",
      `no route ${request.method} ${request.url}; the API is listed at /api/docs`,
    );
    return reply
      .status(404)
      .type("application/problem+json")
      .send({ ...body, instance: request.url });
  };
  // methods no route takes (TRACE, QUERY, …) are answered before their body is looked at
  app.addHook("onRequest", async (request, reply) => {
    // a path of its own (…/orders/batch) is not a value of a neighbour's parameter (…/orders/{orderId})
    if (ROUTED_METHODS.has(request.method)) return notAllowed(request, reply, true) ?? undefined;
    return notFound(request, reply);
  });
  app.setNotFoundHandler(notFound);
}

/** The methods the hub's routes use; any other is refused before routing. */
const ROUTED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

function problemBody(status: number, title: string, detail: string, errors: FieldProblem[] = []): ProblemBody {
  return { type: "about:blank", title, status, detail, errors };
}

function pathSegments(instancePath: string): (string | number)[] {
  return instancePath
    .split("/")
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
