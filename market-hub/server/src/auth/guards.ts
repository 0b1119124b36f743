import { MINUTE_MS } from "@openlem/protocol";
import type { FastifyReply } from "fastify";
import { Problem } from "../http/problem.js";
import { inWords, Throttle } from "./throttle.js";

/** Logins from one address for one account before each further attempt waits (1 s, doubling). */
export const LOGIN_FREE_PER_ADDRESS = 3;
export const LOGIN_MAX_WAIT_PER_ADDRESS_MS = 15 * MINUTE_MS;
/**
 * Logins for one account from clients without its device cookie, every address together,
 * before each waits; at most a minute.
 */
export const LOGIN_FREE_PER_ACCOUNT = 10;
export const LOGIN_MAX_WAIT_PER_ACCOUNT_MS = MINUTE_MS;
/** Logins from one browser with the account's device cookie before each waits (1 s, doubling). */
export const LOGIN_FREE_PER_DEVICE = 5;
export const LOGIN_MAX_WAIT_PER_DEVICE_MS = 15 * MINUTE_MS;
/** Wrong meter PINs from one account before linking waits, and how long (the Landau rule). */
export const PIN_FREE_GUESSES = 5;
export const PIN_LOCK_MS = 15 * MINUTE_MS;
const FIRST_WAIT_MS = 1000;

/**
 * Guessing passwords and PINs, slowed down where the guessing happens, without letting a
 * guesser lock the real owner out:
 * - a login from one address for one account: 3 free attempts, then 1 s, 2 s, 4 s … up to 15 minutes;
 * - a browser with the account's device cookie (it logged in before; OWASP's device cookies):
 *   5 free, then doubling up to 15 minutes, for that browser alone, so guessers elsewhere
 *   never slow the owner's own browser down;
 * - one account from every client without its device cookie, every address together: 10
 *   free, then doubling up to 1 minute; a guesser rotating addresses holds these clients at a
 *   minute, not the owner's browser;
 * - meter PINs, per account: 5 wrong PINs, then 15 minutes. The meter itself never locks, so
 *   nobody can keep another household from linking its meter.
 * Each attempt is counted before its password hash is computed, so a burst cannot spend the
 * hub's CPU on scrypt. Every address is also held to a request rate on these routes (app.ts).
 */
export class AccessGuards {
  readonly loginByAddress: Throttle;
  readonly loginByAccount: Throttle;
  readonly loginByDevice: Throttle;
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
    this.loginByDevice = new Throttle({
      free: LOGIN_FREE_PER_DEVICE,
      baseMs: FIRST_WAIT_MS,
      maxMs: LOGIN_MAX_WAIT_PER_DEVICE_MS,
      now,
    });
    this.pins = new Throttle({ free: PIN_FREE_GUESSES, baseMs: PIN_LOCK_MS, maxMs: PIN_LOCK_MS, now });
  }

  /**
   * Runs a login attempt under the address's throttle and either its device's (`device`: the id
   * of a valid device cookie for this account) or the account's throttle for unknown clients.
   */
  async login<T>(
    reply: FastifyReply,
    email: string,
    address: string,
    device: string | null,
    attempt: () => Promise<T>,
  ): Promise<T> {
    const account = `login:${email.toLowerCase()}`;
    const pair = `${account}|${address}`;
    const [shared, key] = device ? [this.loginByDevice, `device:${device}`] : [this.loginByAccount, account];
    const wait = Math.max(this.loginByAddress.waitMs(pair), shared.waitMs(key));
    if (wait > 0)
      throw tooMany(
        reply,
        wait,
        device || this.loginByAccount.waitMs(account) === 0
          ? `too many failed logins for this account: try again in ${inWords(wait)}`
          : `too many failed logins for this account from browsers it has not logged in from before: try again in ${inWords(wait)}, or log in from a browser you have used before`,
      );
    this.loginByAddress.attempt(pair);
    shared.attempt(key);
    const out = await attempt();
    this.loginByAddress.succeeded(pair);
    shared.succeeded(key);
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
