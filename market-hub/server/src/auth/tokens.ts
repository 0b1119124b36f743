import { createHash, randomBytes } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import type { Queryable } from "../db/database.js";

const ISSUER = "openlem-hub";

/** The HS256 signing key, created once and kept in the database so every hub process shares it. */
export async function signingKey(db: Queryable): Promise<Uint8Array> {
  await db.query("INSERT INTO auth.secrets (name, value) VALUES ('jwt', $1) ON CONFLICT (name) DO NOTHING", [
    randomBytes(32).toString("base64url"),
  ]);
  const [row] = await db.query<{ value: string }>("SELECT value FROM auth.secrets WHERE name = 'jwt'");
  if (!row) throw new Error("no JWT signing key in auth.secrets");
  return Buffer.from(row.value, "base64url");
}

export async function issueAccessToken(
  key: Uint8Array,
  o: { userId: number; sessionId: string; minutes: number; now: Date },
): Promise<string> {
  const iat = Math.floor(o.now.getTime() / 1000);
  return new SignJWT({ sid: o.sessionId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(o.userId))
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + o.minutes * 60)
    .sign(key);
}

export interface AccessClaims {
  userId: number;
  sessionId: string;
  /** When the token expires (ms since the epoch). */
  expiresAtMs: number;
}

/**
 * The claims of a valid access token, or null: a bad signature, not ours, expired, or not of
 * the shape the hub issues (every claim present, the subject a user id written as the hub
 * writes it: "1.0" is not user 1).
 */
export async function verifyAccessToken(key: Uint8Array, token: string, now: Date): Promise<AccessClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      algorithms: ["HS256"],
      currentDate: now,
      requiredClaims: ["sub", "iat", "exp", "sid"],
    });
    if (!payload.sub || !/^[1-9][0-9]{0,15}$/.test(payload.sub)) return null;
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || typeof payload.sid !== "string" || typeof payload.exp !== "number")
      return null;
    return { userId, sessionId: payload.sid, expiresAtMs: payload.exp * 1000 };
  } catch {
    return null;
  }
}

/** An opaque high-entropy token with a readable prefix; only its SHA-256 is stored. */
/** A random token with its prefix ("olm_rt_" for refresh tokens, else a TOKEN_PREFIX), and its hash. */
export function newOpaqueToken(prefix: string): { token: string; hash: string } {
  const token = `${prefix}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
