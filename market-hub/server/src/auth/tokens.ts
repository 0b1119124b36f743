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

export async function issueAccessToken(key: Uint8Array, userId: number, minutes: number, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(userId))
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + minutes * 60)
    .sign(key);
}

/** The user id of a valid access token, or null (bad signature, expired, or not ours). */
export async function verifyAccessToken(key: Uint8Array, token: string, now: Date): Promise<number | null> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ["HS256"], currentDate: now });
    const id = Number(payload.sub);
    return Number.isSafeInteger(id) ? id : null;
  } catch {
    return null;
  }
}

/** An opaque high-entropy token with a readable prefix; only its SHA-256 is stored. */
export function newOpaqueToken(prefix: "olm_rt" | "olm_dev" | "olm_read"): { token: string; hash: string } {
  const token = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
