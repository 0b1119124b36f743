import { HUB_ROUTES, hubApi, Me, TokenPair } from "@openlem/protocol";
import type { InjectOptions } from "fastify";
import { SignJWT } from "jose";
import { expect, it } from "vitest";
import { z } from "zod";
import { describeEachDatabase } from "./databases.js";
import { bodyOf, OPERATOR, problemOf, useHub } from "./hub.js";

describeEachDatabase("hub API basics", (db) => {
  const hub = useHub(db);

  it("serves an OpenAPI 3.1 document and a docs page", async () => {
    const reply = await hub().call("GET", "/api/openapi.json");
    expect(reply.status).toBe(200);
    const spec = bodyOf(
      z.object({ openapi: z.string(), paths: z.record(z.string(), z.record(z.string(), z.unknown())) }),
      reply,
    );
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/api/auth/register", "/api/auth/login", "/api/me"]),
    );
    // request bodies come from the protocol schemas
    expect(spec.paths["/api/auth/register"]?.post).toMatchObject({
      requestBody: { content: { "application/json": { schema: { properties: { password: { minLength: 10 } } } } } },
    });
    // errors are documented as what they are: problem+json, on every route that can give them
    for (const [path, op] of [
      ["/api/auth/login", "post"],
      ["/api/auth/refresh", "post"],
      ["/api/auth/logout", "post"],
      ["/api/communities/{communityId}/results", "get"],
    ] as const) {
      const operation = spec.paths[path]?.[op] as { responses: Record<string, { content: object }> } | undefined;
      expect(Object.keys(operation?.responses[400]?.content ?? {}), `${op} ${path}`).toEqual([
        "application/problem+json",
      ]);
    }
    const docs = await hub().app.inject({ method: "GET", url: "/api/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain("swagger");
  });

  it("serves exactly the routes of the protocol's API table, each with the table's summary and errors", async () => {
    const spec = bodyOf(
      z.object({
        paths: z.record(
          z.string(),
          z.record(
            z.string(),
            z.object({ summary: z.string().optional(), responses: z.record(z.string(), z.unknown()) }),
          ),
        ),
      }),
      await hub().call("GET", "/api/openapi.json"),
    );
    const served = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith("/api/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((op) => `${op.toUpperCase()} ${path}`))
      .sort();
    const table = Object.values(HUB_ROUTES)
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`)
      .sort();
    expect(served).toEqual(table);
    for (const route of Object.values(hubApi)) {
      const op = spec.paths[route.path.replace(/:(\w+)/g, "{$1}")]?.[route.method.toLowerCase()];
      expect(op?.summary, route.path).toBe(route.summary);
      expect(Object.keys(op?.responses ?? {}).sort(), `${route.method} ${route.path}`).toEqual(
        [...Object.keys(route.responses), ...route.errors.map(String)].sort(),
      );
    }
  });

  it("answers health and readiness", async () => {
    expect((await hub().call("GET", "/healthz")).body).toEqual({ status: "ok" });
    expect((await hub().call("GET", "/readyz")).body).toEqual({ status: "ok", database: db().kind });
  });

  it("reports unknown routes as problem+json that says where the API is, and a method a route does not take as 405", async () => {
    const r = await hub().call("GET", "/api/nothing-here");
    expect(r.status).toBe(404);
    expect(problemOf(r).detail).toMatch(/\/api\/docs/);
    // light-my-request's method type leaves out TRACE and QUERY, which real clients send
    for (const method of ["TRACE", "QUERY", "DELETE", "PATCH"]) {
      const wrong = await hub().app.inject({
        method: method as InjectOptions["method"],
        url: "/api/communities/x/kpis?period=day",
      });
      expect(wrong.statusCode, method).toBe(405);
      expect(wrong.headers.allow, method).toBe("GET, HEAD");
      expect(wrong.headers["content-type"]).toContain("application/problem+json");
    }
    // a path of its own is not a value of its neighbour's parameter: PUT …/orders/batch is no order id
    const batch = await hub().app.inject({ method: "PUT", url: "/api/communities/x/households/h/orders/batch" });
    expect([batch.statusCode, batch.headers.allow]).toEqual([405, "POST"]);
    const login = await hub().app.inject({ method: "GET", url: "/api/auth/login" });
    expect([login.statusCode, login.headers.allow]).toEqual([405, "POST"]);
  });
});

describeEachDatabase("accounts", (db) => {
  const hub = useHub(db);

  it("registers an observer who can log in and see who they are", async () => {
    const reg = await hub().call("POST", "/api/auth/register", {
      body: { email: "Ann@Example.org", password: "a long password" },
    });
    expect(reg.status).toBe(201);
    expect(bodyOf(TokenPair, reg).tokenType).toBe("Bearer");
    const token = await hub().login("ann@example.org", "a long password");
    const me = bodyOf(Me, await hub().call("GET", "/api/me", { token }));
    expect(me).toMatchObject({ kind: "user", email: "ann@example.org", role: "observer", households: [] });
  });

  it("names the field and the rule for bad input, as problem+json", async () => {
    const r = await hub().call("POST", "/api/auth/register", { body: { email: "not-an-email", password: "short" } });
    expect(r.status).toBe(400);
    expect(problemOf(r).errors).toEqual(
      expect.arrayContaining([
        { field: "email", rule: "must be an e-mail address" },
        { field: "password", rule: "must be at least 10 characters" },
      ]),
    );
  });

  it("refuses a second account with the same e-mail, whatever its case", async () => {
    await hub().call("POST", "/api/auth/register", { body: { email: "bob@example.org", password: "bob's password" } });
    const r = await hub().call("POST", "/api/auth/register", {
      body: { email: "BOB@example.org", password: "another one!" },
    });
    expect(r.status).toBe(409);
    expect(problemOf(r).errors).toEqual([{ field: "email", rule: "is taken" }]);
  });

  it("gives one answer for an unknown e-mail and a wrong password", async () => {
    const a = await hub().call("POST", "/api/auth/login", {
      body: { email: "nobody@example.org", password: "whatever" },
    });
    const b = await hub().call("POST", "/api/auth/login", {
      body: { email: OPERATOR.email, password: "wrong password" },
    });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(problemOf(a).detail).toBe(problemOf(b).detail);
  });

  it("rotates refresh tokens: each works once", async () => {
    const login = bodyOf(TokenPair, await hub().call("POST", "/api/auth/login", { body: OPERATOR }));
    const first = await hub().call("POST", "/api/auth/refresh", { body: { refreshToken: login.refreshToken } });
    expect(first.status).toBe(200);
    const again = await hub().call("POST", "/api/auth/refresh", { body: { refreshToken: login.refreshToken } });
    expect(again.status).toBe(401);
    const { refreshToken } = bodyOf(TokenPair, first);
    expect((await hub().call("POST", "/api/auth/logout", { body: { refreshToken } })).status).toBe(204);
    expect((await hub().call("POST", "/api/auth/refresh", { body: { refreshToken } })).status).toBe(401);
  });

  it("refuses tokens the hub would not issue, ends a session on logout, and all of it when an old refresh token comes back", async () => {
    const sign = (claims: Record<string, unknown>, exp: boolean) => {
      const now = Math.floor(hub().ctx.wallNow().getTime() / 1000);
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuer("openlem-hub").setIssuedAt(now);
      return (exp ? jwt.setExpirationTime(now + 600) : jwt).sign(hub().ctx.key);
    };
    const login = bodyOf(TokenPair, await hub().call("POST", "/api/auth/login", { body: OPERATOR }));
    const [, payload] = login.accessToken.split(".");
    const { sid, sub } = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as { sid: string; sub: string };
    // correctly signed, but without an expiry, with a user id written otherwise, or without a session
    for (const token of [
      await sign({ sub, sid }, false),
      await sign({ sub: `${sub}.0`, sid }, true),
      await sign({ sub }, true),
    ])
      expect((await hub().call("GET", "/api/me", { token })).status).toBe(401);
    expect((await hub().call("GET", "/api/me", { token: await sign({ sub, sid }, true) })).status).toBe(200);

    // a stolen refresh token used after its owner refreshed: the whole session ends
    const next = bodyOf(
      TokenPair,
      await hub().call("POST", "/api/auth/refresh", { body: { refreshToken: login.refreshToken } }),
    );
    const replay = await hub().call("POST", "/api/auth/refresh", { body: { refreshToken: login.refreshToken } });
    expect(replay.status).toBe(401);
    expect(problemOf(replay).detail).toMatch(/used before.*the session is ended/);
    expect((await hub().call("POST", "/api/auth/refresh", { body: { refreshToken: next.refreshToken } })).status).toBe(
      401,
    );
    expect((await hub().call("GET", "/api/me", { token: next.accessToken })).status).toBe(401);

    // logging out ends the session's access token at once, and no other session
    const a = bodyOf(TokenPair, await hub().call("POST", "/api/auth/login", { body: OPERATOR }));
    const b = bodyOf(TokenPair, await hub().call("POST", "/api/auth/login", { body: OPERATOR }));
    expect((await hub().call("POST", "/api/auth/logout", { body: { refreshToken: a.refreshToken } })).status).toBe(204);
    expect((await hub().call("GET", "/api/me", { token: a.accessToken })).status).toBe(401);
    expect((await hub().call("GET", "/api/me", { token: b.accessToken })).status).toBe(200);
  });

  it("slows down password guessing per account and address, without locking the owner out for long", async () => {
    const login = (password: string, address: string) =>
      hub().app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { email: OPERATOR.email, password },
        remoteAddress: address,
      });
    // forty guesses at once from one address: three are checked, the rest wait without a hash
    const burst = await Promise.all(Array.from({ length: 40 }, () => login("wrong password", "198.51.100.1")));
    const statuses = burst.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(37);
    const waited = burst.find((r) => r.statusCode === 429);
    expect(Number(waited?.headers["retry-after"])).toBeGreaterThan(0);
    expect(waited?.json()).toMatchObject({
      detail: expect.stringMatching(/too many failed logins for this account: try again in/),
    });
    // even the right password waits on that address
    expect((await login(OPERATOR.password, "198.51.100.1")).statusCode).toBe(429);
    // the owner, from elsewhere, logs in
    expect((await login(OPERATOR.password, "198.51.100.2")).statusCode).toBe(200);
    // thirty guesses from thirty addresses, each as soon as the account may try again: the
    // account slows down for everyone, but never beyond a minute
    for (let i = 0; i < 30; i++) {
      const r = await login("wrong", `198.51.100.${10 + i}`);
      if (r.statusCode === 429) {
        hub().clock.advance(Number(r.headers["retry-after"]) * 1000);
        expect((await login("wrong", `198.51.100.${10 + i}`)).statusCode).toBe(401);
      } else expect(r.statusCode).toBe(401);
    }
    const owner = await login(OPERATOR.password, "198.51.100.3");
    expect(owner.statusCode).toBe(429);
    expect(Number(owner.headers["retry-after"])).toBe(60);
    hub().clock.advance(59_000);
    expect((await login(OPERATOR.password, "198.51.100.3")).statusCode).toBe(429);
    hub().clock.advance(1_000);
    expect((await login(OPERATOR.password, "198.51.100.3")).statusCode).toBe(200);
    // the first address's own delay (1 s after its three guesses) has long passed
    expect((await login(OPERATOR.password, "198.51.100.1")).statusCode).toBe(200);
  });

  it("a guesser rotating addresses cannot keep the owner's browser out: it logged in before and keeps a device cookie", async () => {
    const login = (password: string, address: string, device?: string) =>
      hub().app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { email: OPERATOR.email, password },
        remoteAddress: address,
        ...(device ? { cookies: { olm_device: device } } : {}),
      });
    const deviceOf = (r: Awaited<ReturnType<typeof login>>) => r.cookies.find((c) => c.name === "olm_device");
    const first = await login(OPERATOR.password, "203.0.113.7");
    expect(first.statusCode).toBe(200);
    expect(deviceOf(first)).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/auth" });
    let device = deviceOf(first)?.value ?? "";
    // the attack as it was seen: 155 s, guesses from ever new addresses whenever the account
    // lets a client try, and the owner logging in every 5 s from her browser
    let owner = 0;
    let held = 0;
    for (let i = 0; i < 31; i++) {
      for (let j = 0; j < 3; j++) {
        const guess = await login("guess", `198.18.${i}.${j + 1}`);
        if (guess.statusCode === 429) held++;
        else expect(guess.statusCode).toBe(401);
      }
      const r = await login(OPERATOR.password, "203.0.113.7", device);
      if (r.statusCode === 200) owner++;
      device = deviceOf(r)?.value ?? device;
      hub().clock.advance(5_000);
    }
    expect(owner).toBe(31);
    expect(held).toBeGreaterThan(0);
    // browsers the account does not know are held meanwhile (right after a counted guess), and
    // told what still works
    for (let r = await login("guess", "198.19.0.1"); r.statusCode === 429; r = await login("guess", "198.19.0.1"))
      hub().clock.advance(Number(r.headers["retry-after"]) * 1000);
    const unknown = await login(OPERATOR.password, "203.0.113.8");
    expect(unknown.statusCode).toBe(429);
    expect(unknown.json()).toMatchObject({
      detail: expect.stringMatching(
        /from browsers it has not logged in from before: try again in .*log in from a browser you have used before/,
      ),
    });
    // a cookie made for another account or signed by someone else counts as none
    const other = await hub().app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { email: "someone@example.org", password: "x" },
      remoteAddress: "203.0.113.9",
    });
    expect(other.statusCode).toBe(401);
    expect((await login(OPERATOR.password, "203.0.113.7", `${device.slice(0, -4)}AAAA`)).statusCode).toBe(429);
    // and it is no access token
    expect((await hub().call("GET", "/api/me", { token: device })).status).toBe(401);
    // the device's own guesses slow down that device alone
    // (a stolen cookie, say), from wherever it guesses
    for (let i = 0; i < 5; i++) expect((await login("wrong", `203.0.113.${20 + i}`, device)).statusCode).toBe(401);
    expect((await login(OPERATOR.password, "203.0.113.30", device)).statusCode).toBe(429);
    hub().clock.advance(60_000);
  });

  it("holds every address to a request rate on the routes that check a password or PIN", async () => {
    const refresh = () =>
      hub().app.inject({
        method: "POST",
        url: "/api/auth/refresh",
        payload: { refreshToken: "olm_rt_not-a-token" },
        remoteAddress: "198.51.100.200",
      });
    const limit = hub().ctx.config.authRatePerMinute;
    for (let i = 0; i < limit; i++) expect((await refresh()).statusCode).toBe(401);
    const over = await refresh();
    expect(over.statusCode).toBe(429);
    expect(over.headers["content-type"]).toContain("application/problem+json");
    expect(over.json()).toMatchObject({ detail: expect.stringMatching(/too many requests from this address/) });
  });

  it("expires access tokens after their lifetime", async () => {
    const token = await hub().operatorToken();
    expect((await hub().call("GET", "/api/me", { token })).status).toBe(200);
    hub().clock.advance(16 * 60_000);
    const r = await hub().call("GET", "/api/me", { token });
    expect(r.status).toBe(401);
    expect(problemOf(r).detail).toMatch(/refresh/);
    expect((await hub().call("GET", "/api/me", { token: "garbage" })).status).toBe(401);
    expect((await hub().call("GET", "/api/me")).status).toBe(401);
  });
});
