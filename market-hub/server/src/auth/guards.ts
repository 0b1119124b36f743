import { MINUTE_MS } from "@openlem/protocol";
import type { FastifyReply } from "fastify";
import { Problem } from "../http/problem.js";
import { inWords, Throttle } from "./throttle.js";

/** Logins from one address for one account before each further attempt waits (1 s, doubling). */
export const LOGIN_FREE_PER_ADDRESS = 3;
export const LOGIN_MAX_WAIT_PER_ADDRESS_MS = 15 * MINUTE_MS;
/** Logins for one account from every address together before each waits; at most a minute. */
export const LOGIN_FREE_PER_ACCOUNT = 10;
export const LOGIN_MAX_WAIT_PER_ACCOUNT_MS = MINUTE_MS;
/** Wrong meter PINs from one account before linking waits, and how long (the Landau rule). */
export const PIN_FREE_GUESSES = 5;
export const PIN_LOCK_MS = 15 * MINUTE_MS;
const FIRST_WAIT_MS = 1000;

/**
 * Guessing passwords and PINs, slowed down where the guessing happens, without letting a
 * guesser lock the real owner out for long:
 * - a login from one address for one account: 3 free attempts, then 1 s, 2 s, 4 s … up to 15 minutes;
 * - one account from every address together: 10 free, then doubling up to 1 minute at most, so
 *   the owner, from anywhere, waits a minute at worst;
 * - meter PINs, per account: 5 wrong PINs, then 15 minutes. The meter itself never locks, so
 *   nobody can keep another household from linking its meter.
 * Each attempt is counted before its password hash is computed, so a burst cannot spend the
 * hub's CPU on scrypt. Every address is also held to a request rate on these routes (app.ts).
 */
export class AccessGuards {
  readonly loginByAddress: Throttle;
  readonly loginByAccount: Throttle;
  readonly pins: Throttle;

  constructor(now: () => number) {
    this.loginByAddress = new Throttle({
      free: LOGIN_FREE_PER_ADDRESS,
      baseMs: FIRST_WAIT_MS,
      maxMs: LOGIN_MAX_WAIT_PER_ADDRESS_MS,
      now,
    });
    this.loginByAccount = new Throttle({
      free: LOGIN_FREE_PER_ACCOUNT,
      baseMs: FIRST_WAIT_MS,
      maxMs: LOGIN_MAX_WAIT_PER_ACCOUNT_MS,
      now,
    });
    this.pins = new Throttle({ free: PIN_FREE_GUESSES, baseMs: PIN_LOCK_MS, maxMs: PIN_LOCK_MS, now });
  }

  /** Runs a login attempt under both login throttles. */
  async login<T>(reply: FastifyReply, email: string, address: string, attempt: () => Promise<T>): Promise<T> {
    const account = `login:${email.toLowerCase()}`;
    const pair = `${account}|${address}`;
    const wait = Math.max(this.loginByAddress.waitMs(pair), this.loginByAccount.waitMs(account));
    if (wait > 0) throw tooMany(reply, wait, `too many failed logins for this account: try again in ${inWords(wait)}`);
    this.loginByAddress.attempt(pair);
    this.loginByAccount.attempt(account);
    const out = await attempt();
    this.loginByAddress.succeeded(pair);
    this.loginByAccount.succeeded(account);
    return out;
  }

  /** Runs a meter-linking attempt under the account's PIN throttle; `ok` tells a right PIN. */
  async pin<T>(reply: FastifyReply, userId: number, attempt: () => Promise<{ ok: boolean; out: T }>): Promise<T> {
    const key = `pin:${userId}`;
    const wait = this.pins.waitMs(key);
    if (wait > 0)
      throw tooMany(
        reply,
        wait,
        `too many wrong meter PINs from this account: try again in ${inWords(wait)}; ask the operator if you lost the PIN`,
      );
    this.pins.attempt(key);
    const { ok, out } = await attempt();
    if (ok) this.pins.succeeded(key);
    return out;
  }
}

function tooMany(reply: FastifyReply, waitMs: number, detail: string): Problem {
  reply.header("retry-after", String(Math.ceil(waitMs / 1000)));
  return Problem.tooManyRequests(detail);
}
