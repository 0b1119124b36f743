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

export function actorOf(p: { kind: "user"; userId: number } | { kind: "device"; tokenId: number }): string {
  return p.kind === "user" ? `user:${p.userId}` : `device:${p.tokenId}`;
}
