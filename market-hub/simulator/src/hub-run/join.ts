import { randomBytes } from "node:crypto";
import { HubAdmin, HubRest } from "@openlem/client";
import type { LoadedScenario } from "../scenario.js";

/** A member of the run's community: its id, its meter and the client with its device token. */
export interface Member {
  id: string;
  meterId: string;
  rest: HubRest;
}

/** Who takes part in a run on the hub, each joined as a real household would. */
export interface Joined {
  communityId: string;
  /** The operator's client, for the clock, results and KPIs. */
  operator: HubRest;
  households: Member[];
  plants: Member[];
  communalBattery: Member | undefined;
}

function slugOf(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 30);
  return s || "scenario";
}

/**
 * The first phase: a community of its own for the run, and every household, plant and the
 * communal battery joined with a meter, an account (the PIN linking) and a device token.
 */
export async function joinCommunity(
  loaded: LoadedScenario,
  o: { url: string; operator: { email: string; password: string }; communalBattery: boolean },
): Promise<Joined> {
  const { scenario, market: config, households } = loaded;
  const admin = new HubAdmin({ url: o.url, auth: o.operator });
  const stamp = randomBytes(3).toString("hex");
  const communityId = `sim-${slugOf(scenario.name)}-${stamp}`.slice(0, 60);
  await admin.createCommunity({ id: communityId, name: `${scenario.name} (simulation ${stamp})`, market: config });
  const operator = new HubRest({ url: o.url, auth: o.operator, communityId, householdId: "-" });

  const join = async (id: string, source: "pv" | "chp" | "battery" | null): Promise<Member> => {
    const meterId = `sim-${stamp}-${id}`.slice(0, 64);
    const meter = await admin.registerMeter(communityId, { meterId, householdId: id, source });
    const account = { email: `${id}.${communityId}@openlem-sim.example`, password: randomBytes(12).toString("hex") };
    const device = await admin.joinHousehold(communityId, id, account, { meterId, pin: meter.pin }, "openlem-sim");
    const rest = new HubRest({ url: o.url, communityId, householdId: id, auth: { deviceToken: device.token } });
    return { id, meterId, rest };
  };

  const members: Member[] = [];
  for (const h of households) members.push(await join(h.id, h.pvKwp > 0 ? "pv" : null));
  const plants: Member[] = [];
  for (const g of scenario.generators) plants.push(await join(g.id, g.source === "pv" ? "pv" : "chp"));
  const cbDef = o.communalBattery ? scenario.communalBattery : undefined;
  const communalBattery = cbDef ? await join(cbDef.id, "battery") : undefined;
  return { communityId, operator, households: members, plants, communalBattery };
}
