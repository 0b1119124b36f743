import {
  CommunityId,
  fieldProblems,
  HouseholdId,
  OrderBatch,
  parseTopic,
  ReadingBatch,
  type SubmissionAck,
} from "@openlem/protocol";
import { z } from "zod";
import type { HubContext } from "../context.js";
import { Problem } from "../http/problem.js";
import { storeReadings } from "../readings/store.js";
import { intakeOrders } from "../services/orders.js";

/*
 * Orders and readings that devices publish on their household's topic, taken as the REST routes
 * take them (the same services), and answered on the household's ack topic. The embedded
 * broker has already checked that the publisher acts for that household; with an external
 * broker that is the broker's access control list (see the README).
 */

export type Ack = Omit<SubmissionAck, "kind">;

/** Handles one submission; answers what `ack` should publish, or null for a topic that is none. */
export async function takeSubmission(
  ctx: Pick<HubContext, "db" | "now" | "metrics">,
  topic: string,
  payload: Buffer,
): Promise<{ community: string; household: string; ack: SubmissionAck } | null> {
  const t = parseTopic(topic);
  if (t?.kind !== "orders" && t?.kind !== "readings") return null;
  const kind = t.kind;
  const answer = (a: Ack) => ({ community: t.community, household: t.household, ack: { kind, ...a } });
  let json: unknown;
  try {
    json = JSON.parse(payload.toString("utf8"));
  } catch {
    return answer({ ok: false, accepted: 0, errors: [{ field: "(root)", rule: "must be JSON" }] });
  }
  try {
    const accepted =
      kind === "orders"
        ? await takeOrders(ctx, t.community, t.household, json)
        : await takeReadings(ctx, t.community, t.household, json);
    return answer({ ok: true, accepted, errors: [] });
  } catch (err) {
    if (err instanceof z.ZodError) return answer({ ok: false, accepted: 0, errors: fieldProblems(err) });
    if (err instanceof Problem) {
      return answer({
        ok: false,
        accepted: 0,
        errors: err.errors.length ? err.errors : [{ field: "(root)", rule: err.detail }],
      });
    }
    return answer({
      ok: false,
      accepted: 0,
      errors: [{ field: "(root)", rule: "the hub could not store this; try again" }],
    });
  }
}

async function takeOrders(
  ctx: Pick<HubContext, "db" | "now" | "metrics">,
  communityId: string,
  householdId: string,
  json: unknown,
): Promise<number> {
  const batch = OrderBatch.parse(json);
  // the topic's ids get their brand here, where they come in
  const household = { communityId: CommunityId.parse(communityId), householdId: HouseholdId.parse(householdId) };
  const out = await intakeOrders(ctx, household, batch.orders, {
    channel: "mqtt",
    prefix: (i) => ["orders", i],
  });
  return out.records.length;
}

async function takeReadings(
  ctx: Pick<HubContext, "db" | "now" | "metrics">,
  communityId: string,
  householdId: string,
  json: unknown,
): Promise<number> {
  const batch = ReadingBatch.parse(json);
  const out = await ctx.db.transaction((tx) =>
    storeReadings(tx, communityId, batch.readings, { mayUse: (h) => h === householdId, nowMs: ctx.now().getTime() }),
  );
  ctx.metrics.readings.inc({ community: communityId, channel: "mqtt" }, out.accepted);
  return out.accepted + out.duplicates;
}
