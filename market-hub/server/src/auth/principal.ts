import {
  type HouseholdRef,
  isHouseholdToken,
  type Role,
  storedCommunityId,
  storedHouseholdId,
  type TokenScope,
} from "@openlem/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { HubContext } from "../context.js";
import { Problem } from "../http/problem.js";
import { hashToken, verifyAccessToken } from "./tokens.js";

export interface UserPrincipal {
  kind: "user";
  userId: number;
  email: string;
  role: Role;
  households: HouseholdRef[];
}
export interface DevicePrincipal {
  kind: "device";
  tokenId: number;
  communityId: string;
  householdId: string;
  scope: TokenScope;
}
export type Principal = UserPrincipal | DevicePrincipal;

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Reads the bearer token of every request: a device token ("olm_dev_…"), a read-only token
 * ("olm_read_…") or a user's access token. A read-only token is refused for every request that
 * could change something, here, so that no route can forget it.
 */
export function registerAuthentication(app: FastifyInstance, ctx: HubContext): void {
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    const header = request.headers.authorization;
    if (!header) {
      // a route that needs a token says so before it looks at the request's body or parameters
      const security = (request.routeOptions.schema as { security?: unknown[] } | undefined)?.security;
      if (security && security.length > 0) throw Problem.unauthorized();
      return;
    }
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) throw Problem.unauthorized("the Authorization header must be 'Bearer <token>'");
    request.principal = await principalOf(ctx, m[1]);
    if (!request.principal) {
      throw Problem.unauthorized(
        isHouseholdToken(m[1])
          ? "the token is unknown or revoked: make a new one for the household (POST …/households/<h>/device-tokens)"
          : "the token is invalid, expired or revoked: log in again or refresh the access token",
      );
    }
    if (request.principal.kind === "device" && request.principal.scope !== "device" && !READS.has(request.method)) {
      throw Problem.forbidden(
        `a ${request.principal.scope === "read" ? "read-only" : "Home Assistant"} token may only read over REST: use the household's device token (scope device) to change anything`,
      );
    }
  });
}

/** The principal a bearer token stands for (device token or access token), or null. Also used by the broker. */
export async function principalOf(ctx: HubContext, token: string): Promise<Principal | null> {
  if (isHouseholdToken(token)) {
    const [row] = await ctx.db.query<{ id: number; community_id: string; household_id: string; scope: TokenScope }>(
      "SELECT id, community_id, household_id, scope FROM auth.device_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
      [hashToken(token)],
    );
    return row
      ? {
          kind: "device",
          tokenId: row.id,
          communityId: row.community_id,
          householdId: row.household_id,
          scope: row.scope,
        }
      : null;
  }
  const claims = await verifyAccessToken(ctx.key, token, ctx.wallNow());
  if (!claims) return null;
  // a logged-out session (or one ended for a replayed refresh token) ends its access tokens too
  const [session] = await ctx.db.query<{ user_id: number }>(
    "SELECT user_id FROM auth.sessions WHERE id = $1 AND ended_at IS NULL",
    [claims.sessionId],
  );
  if (!session || Number(session.user_id) !== claims.userId) return null;
  return loadUser(ctx, claims.userId);
}

export async function loadUser(ctx: HubContext, userId: number): Promise<UserPrincipal | null> {
  const [user] = await ctx.db.query<{ id: number; email: string; role: Role }>(
    "SELECT id, email, role FROM auth.users WHERE id = $1",
    [userId],
  );
  if (!user) return null;
  const households = await ctx.db.query<{ community_id: string; id: string }>(
    "SELECT community_id, id FROM market.households WHERE user_id = $1 ORDER BY community_id, id",
    [userId],
  );
  return {
    kind: "user",
    userId: user.id,
    email: user.email,
    role: user.role,
    households: households.map((h) => ({
      communityId: storedCommunityId(h.community_id),
      householdId: storedHouseholdId(h.id),
    })),
  };
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw Problem.unauthorized();
  return request.principal;
}

export function requireUser(request: FastifyRequest): UserPrincipal {
  const p = requirePrincipal(request);
  if (p.kind !== "user") throw Problem.forbidden("a device token cannot do this; log in as a person");
  return p;
}

export function requireOperator(request: FastifyRequest): UserPrincipal {
  const p = requireUser(request);
  if (p.role !== "operator") throw Problem.forbidden("only the community operator may do this");
  return p;
}

/** May this principal act for the household (submit its orders, read its data)? Operators may. */
export function actsFor(p: Principal, communityId: string, householdId: string): boolean {
  if (p.kind === "device") return p.communityId === communityId && p.householdId === householdId;
  if (p.role === "operator") return true;
  return p.households.some((h) => h.communityId === communityId && h.householdId === householdId);
}

export function requireHousehold(request: FastifyRequest, communityId: string, householdId: string): Principal {
  const p = requirePrincipal(request);
  if (!actsFor(p, communityId, householdId)) {
    throw Problem.forbidden(`you may not act for household ${householdId}: link its meter first`);
  }
  return p;
}

/**
 * Route options that check who may call before the body is validated (Fastify's preValidation):
 * a caller who may not use the route hears 403, not the body's rules.
 */
export const operatorsOnly = {
  preValidation: async (request: FastifyRequest): Promise<void> => {
    requireOperator(request);
  },
};

/** The same for routes of one household (its path's communityId and householdId, unvalidated yet). */
export const householdOnly = {
  preValidation: async (request: FastifyRequest): Promise<void> => {
    const { communityId = "", householdId = "" } = request.params as Partial<Record<string, string>>;
    requireHousehold(request, communityId, householdId);
  },
};
