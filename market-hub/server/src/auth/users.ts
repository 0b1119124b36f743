import type { Role, TokenPair } from "@openlem/protocol";
import type { HubContext } from "../context.js";
import type { Queryable } from "../db/database.js";
import { Problem } from "../http/problem.js";
import { hashPassword, verifyPassword } from "./passwords.js";
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
const DUMMY_HASH = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

export async function issueTokens(ctx: HubContext, userId: number): Promise<TokenPair> {
  const minutes = ctx.config.accessTokenMinutes;
  const now = ctx.wallNow();
  const refresh = newOpaqueToken("olm_rt");
  await ctx.db.query("INSERT INTO auth.refresh_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, $3)", [
    userId,
    refresh.hash,
    new Date(now.getTime() + ctx.config.refreshTokenDays * 86_400_000),
  ]);
  return {
    accessToken: await issueAccessToken(ctx.key, userId, minutes, now),
    refreshToken: refresh.token,
    expiresIn: minutes * 60,
    tokenType: "Bearer",
  };
}

/** Exchanges a refresh token for a new pair; the old one is retired (rotation). */
export async function refreshTokens(ctx: HubContext, refreshToken: string): Promise<TokenPair> {
  const rows = await ctx.db.query<{ user_id: number }>(
    `UPDATE auth.refresh_tokens SET revoked_at = $2
      WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2
      RETURNING user_id`,
    [hashToken(refreshToken), ctx.wallNow()],
  );
  if (!rows[0]) throw Problem.unauthorized("the refresh token is invalid, used or expired: log in again");
  return issueTokens(ctx, rows[0].user_id);
}

export async function revokeRefreshToken(ctx: HubContext, refreshToken: string): Promise<void> {
  await ctx.db.query("UPDATE auth.refresh_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL", [
    hashToken(refreshToken),
    ctx.wallNow(),
  ]);
}

/** The first operator: from `openlem-hub create-operator` or OPENLEM_OPERATOR_EMAIL/PASSWORD on first start. */
export async function ensureOperator(db: Queryable, email: string, password: string): Promise<"created" | "exists"> {
  const [existing] = await db.query<{ id: number }>("SELECT id FROM auth.users WHERE email = lower($1)", [email]);
  if (existing) return "exists";
  await createUser(db, email, password, "operator");
  return "created";
}
