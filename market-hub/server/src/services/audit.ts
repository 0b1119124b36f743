import type { Queryable } from "../db/database.js";

/** Appends to the audit trail: who did what, with the details needed to reconstruct it. */
export async function audit(
  db: Queryable,
  actor: string,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await db.query("INSERT INTO market.audit (actor, action, detail) VALUES ($1, $2, $3)", [
    actor,
    action,
    JSON.stringify(detail),
  ]);
}

/** Who did something, as the audit trail and a clearing's `triggered_by` record it. */
export type Actor = `user:${number}` | `device:${number}`;

export function actorOf(p: { kind: "user"; userId: number } | { kind: "device"; tokenId: number }): Actor {
  return p.kind === "user" ? `user:${p.userId}` : `device:${p.tokenId}`;
}
