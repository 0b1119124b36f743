import { randomUUID } from "node:crypto";
import { DAY_MS } from "@openlem/protocol";
import { jwtVerify, SignJWT } from "jose";

/**
 * OWASP's device cookies ("Slow Down Online Guessing Attacks with Device Cookies"): a browser
 * that has logged in to an account keeps a signed cookie naming the account, and its logins are
 * throttled on their own, apart from every other client's. A guesser without one can slow down
 * only the clients without one; the owner's browser still gets in.
 */
export const DEVICE_COOKIE = "olm_device";
export const DEVICE_COOKIE_DAYS = 365;
/** The same lifetime in seconds, as the cookie's Max-Age and the signed expiry say it. */
export const DEVICE_COOKIE_SECONDS = (DEVICE_COOKIE_DAYS * DAY_MS) / 1000;
/** Only the login route reads it. */
export const DEVICE_COOKIE_PATH = "/api/auth";
// an issuer of its own: a device cookie is never an access token, nor the other way round
const ISSUER = "openlem-hub/device";

export async function issueDeviceCookie(key: Uint8Array, email: string, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ login: email.toLowerCase() })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(ISSUER)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + DEVICE_COOKIE_SECONDS)
    .sign(key);
}

/** The device's id when the cookie is one the hub signed for this account and still valid; else null. */
export async function deviceOf(
  key: Uint8Array,
  cookie: string | undefined,
  email: string,
  now: Date,
): Promise<string | null> {
  if (!cookie) return null;
  try {
    const { payload } = await jwtVerify(cookie, key, {
      issuer: ISSUER,
      algorithms: ["HS256"],
      currentDate: now,
      requiredClaims: ["jti", "exp"],
    });
    return payload.login === email.toLowerCase() && typeof payload.jti === "string" ? payload.jti : null;
  } catch {
    return null;
  }
}
