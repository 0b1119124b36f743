import { TokenPair } from "@openlem/protocol";
import type { FastifyInstance, InjectOptions } from "fastify";
import { afterAll, beforeAll, expect } from "vitest";
import type { z } from "zod";
import { buildApp } from "../src/app.js";
import { signingKey } from "../src/auth/tokens.js";
import { ensureOperator } from "../src/auth/users.js";
import { configFromEnv } from "../src/config.js";
import type { HubContext } from "../src/context.js";
import type { Database } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { ProblemBody } from "../src/http/errors.js";
import { HubMetrics } from "../src/http/metrics.js";

export const OPERATOR = { email: "operator@example.org", password: "operator-password" };

/** A settable clock, so tests can move time past gate closure or token expiry. */
export class TestClock {
  constructor(public t = Date.parse("2026-06-21T08:00:00Z")) {}
  now = () => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}

export interface TestHub {
  app: FastifyInstance;
  ctx: HubContext;
  clock: TestClock;
  /** inject() with JSON parsing and an optional bearer token. */
  call(method: InjectOptions["method"], url: string, options?: { token?: string; body?: unknown }): Promise<Reply>;
  login(email: string, password: string): Promise<string>;
  operatorToken(): Promise<string>;
}

export interface Reply {
  status: number;
  contentType: string;
  body: unknown;
}

/** Parses a reply's body with a protocol schema: tests read responses through the contract. */
export function bodyOf<S extends z.ZodType>(schema: S, reply: Reply): z.output<S> {
  return schema.parse(reply.body);
}

/** The problem+json body of an error reply. */
export function problemOf(reply: Reply): ProblemBody {
  expect(reply.contentType).toContain("application/problem+json");
  return ProblemBody.parse(reply.body);
}

/** A migrated hub on the given database, with the first operator created. */
export function useHub(db: () => Database): () => TestHub {
  let hub: TestHub | undefined;
  beforeAll(async () => {
    await migrate(db());
    const clock = new TestClock();
    const ctx: HubContext = {
      config: configFromEnv({}, { logLevel: "silent" }),
      db: db(),
      now: clock.now,
      // one test clock for both, so tests can expire tokens and locks too
      wallNow: clock.now,
      key: await signingKey(db()),
      metrics: new HubMetrics(),
    };
    await ensureOperator(db(), OPERATOR.email, OPERATOR.password);
    const app = await buildApp(ctx);
    const call: TestHub["call"] = async (method, url, options = {}) => {
      const res = await app.inject({
        method,
        url,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        ...(options.body !== undefined ? { payload: options.body as object } : {}),
      });
      const contentType = String(res.headers["content-type"] ?? "");
      return { status: res.statusCode, contentType, body: contentType.includes("json") ? res.json() : res.body };
    };
    const login = async (email: string, password: string) => {
      const r = await call("POST", "/api/auth/login", { body: { email, password } });
      if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
      return TokenPair.parse(r.body).accessToken;
    };
    hub = { app, ctx, clock, call, login, operatorToken: () => login(OPERATOR.email, OPERATOR.password) };
  });
  afterAll(async () => {
    await hub?.app.close();
  });
  return () => {
    if (!hub) throw new Error("hub not started yet");
    return hub;
  };
}
