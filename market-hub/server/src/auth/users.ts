import { randomUUID } from "node:crypto";
import type { Role, TokenPair } from "@openlem/protocol";
import { DAY_MS } from "@openlem/protocol";
import type { HubContext } from "../context.js";
import type { Queryable } from "../db/database.js";
import { Problem } from "../http/problem.js";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./passwords.js";
import { announceRevocation } from "./revocations.js";
import { hashToken, issueAccessToken, newOpaqueToken } from "./tokens.js";

/** Creates an account; a taken e-mail is a 409 naming the field. */
export async function createUser(db: Queryable, email: string, password: string, role: Role): Promise<number> {
  const hash = await hashPassword(password);
  const rows = await db.query<{ id: number }>(
    "INSERT INTO auth.users (email, password_hash, role) VALUES (lower($1), $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id",
    [email, hash, role],
  );
  if (!rows[0])
    throw Problem.conflict("an account with this e-mail exists; log in instead", [
      { field: "email", rule: "is taken" },
    ]);
  return rows[0].id;
}

/** Checks e-mail and password; the same answer for an unknown e-mail and a wrong password. */
export async function authenticate(ctx: HubContext, email: string, password: string): Promise<number> {
  const [user] = await ctx.db.query<{ id: number; password_hash: string }>(
    "SELECT id, password_hash FROM auth.users WHERE email = lower($1)",
    [email],
  );
  // Hash anyway when the user is unknown, so the response time does not tell which e-mails exist.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) throw Problem.unauthorized("the e-mail or the password is wrong");
  return user.id;
}

/** A new pair of tokens for the user, in a new session or (on refresh) in the one it rotates. */
export async function issueTokens(
  ctx: HubContext,
  userId: number,
  o: { sessionId?: string | undefined; db?: Queryable } = {},
): Promise<TokenPair> {
  const db = o.db ?? ctx.db;
  const minutes = ctx.config.accessTokenMinutes;
  const now = ctx.wallNow();
  const sid = o.sessionId ?? randomUUID();
  if (!o.sessionId)
    await db.query("INSERT INTO auth.sessions (id, user_id, created_at) VALUES ($1, $2, $3)", [sid, userId, now]);
  const refresh = newOpaqueToken("olm_rt_");
  await db.query(
    "INSERT INTO auth.refresh_tokens (user_id, token_hash, expires_at, session_id) VALUES ($1, $2, $3, $4)",
    [userId, refresh.hash, new Date(now.getTime() + ctx.config.refreshTokenDays * DAY_MS), sid],
  );
  return {
    accessToken: await issueAccessToken(ctx.key, { userId, sessionId: sid, minutes, now }),
    refreshToken: refresh.token,
    expiresIn: minutes * 60,
    tokenType: "Bearer",
  };
}

async function endSession(ctx: HubContext, sessionId: string | null): Promise<void> {
  if (!sessionId) return;
  await ctx.db.query("UPDATE auth.sessions SET ended_at = COALESCE(ended_at, $2) WHERE id = $1", [
    sessionId,
    ctx.wallNow(),
  ]);
  announceRevocation();
}

/**
 * Exchanges a refresh token for a new pair in the same session; the old one is retired
 * (rotation). A retired refresh token presented again means it was stolen or replayed: the
 * whole session ends, the newer tokens with it, and the owner logs in again.
 */
export async function refreshTokens(ctx: HubContext, refreshToken: string): Promise<TokenPair> {
  const now = ctx.wallNow();
  const out = await ctx.db.transaction(async (tx) => {
    const [row] = await tx.query<{
      id: number;
      user_id: number;
      session_id: string | null;
      revoked_at: Date | null;
      expires_at: Date;
      ended_at: Date | null;
    }>(
      `SELECT t.id, t.user_id, t.session_id, t.revoked_at, t.expires_at, s.ended_at
         FROM auth.refresh_tokens t LEFT JOIN auth.sessions s ON s.id = t.session_id
        WHERE t.token_hash = $1 FOR UPDATE OF t`,
      [hashToken(refreshToken)],
    );
    if (!row || row.ended_at || row.expires_at <= now) return { kind: "refused" as const };
    if (row.revoked_at) return { kind: "reused" as const, sessionId: row.session_id };
    await tx.query("UPDATE auth.refresh_tokens SET revoked_at = $2 WHERE id = $1", [row.id, now]);
    return {
      kind: "ok" as const,
      pair: await issueTokens(ctx, row.user_id, { sessionId: row.session_id ?? undefined, db: tx }),
    };
  });
  if (out.kind === "ok") return out.pair;
  if (out.kind === "reused") {
    await endSession(ctx, out.sessionId);
    throw Problem.unauthorized(
      "this refresh token was used before, so it may have been copied: the session is ended and every token of it refused; log in again",
    );
  }
  throw Problem.unauthorized("the refresh token is invalid, used or expired: log in again");
}

/** Logging out ends the refresh token's session: its access tokens stop working at once. */
export async function revokeRefreshToken(ctx: HubContext, refreshToken: string): Promise<void> {
  const [row] = await ctx.db.query<{ session_id: string | null }>(
    "UPDATE auth.refresh_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE token_hash = $1 RETURNING session_id",
    [hashToken(refreshToken), ctx.wallNow()],
  );
  await endSession(ctx, row?.session_id ?? null);
}

/** The first operator: from `openlem-hub create-operator` or OPENLEM_OPERATOR_EMAIL/PASSWORD on first start. */
export async function ensureOperator(db: Queryable, email: string, password: string): Promise<"created" | "exists"> {
  const [existing] = await db.query<{ id: number }>("SELECT id FROM auth.users WHERE email = lower($1)", [email]);
  if (existing) return "exists";
  await createUser(db, email, password, "operator");
  return "created";
}
