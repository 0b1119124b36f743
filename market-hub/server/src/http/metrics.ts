import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The hub's Prometheus metrics, one registry per app so tests and replicas do not share counters. */
export class HubMetrics {
  readonly registry = new Registry();
  readonly clearings = new Counter({
    name: "openlem_clearings_total",
    help: "Slots cleared by this process",
    labelNames: ["community", "commodity", "trigger"] as const,
    registers: [this.registry],
  });
  readonly orders = new Counter({
    name: "openlem_orders_accepted_total",
    help: "Orders accepted (replays of accepted orders not counted)",
    labelNames: ["community", "channel"] as const,
    registers: [this.registry],
  });
  readonly readings = new Counter({
    name: "openlem_readings_accepted_total",
    help: "Meter readings stored (duplicates not counted)",
    labelNames: ["community", "channel"] as const,
    registers: [this.registry],
  });
  readonly http = new Histogram({
    name: "openlem_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "openlem_" });
  }
}

export function registerMetrics(app: FastifyInstance, metrics: HubMetrics): void {
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unknown";
    if (route === "/metrics") return;
    metrics.http.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get("/metrics", { schema: { hide: true } }, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
