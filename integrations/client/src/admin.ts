import {
  type Commodity,
  Community,
  type CommunityInput,
  DeviceTokenCreated,
  Meter,
  MeterRegistered,
  type MeterRegistrationInput,
  SlotResult,
  TokenPair,
} from "@openlem/protocol";
import { HubRest, type RestOptions } from "./rest.js";

export type AdminOptions = Omit<RestOptions, "communityId" | "householdId">;

/**
 * The calls a community operator (or a tool acting for one, like the simulator's end-to-end
 * mode) makes: communities, meters, manual clearing; and the participant's side of joining
 * (register, link a meter with its PIN, make a device token). Same retries and errors as
 * `HubRest`.
 */
export class HubAdmin {
  private readonly rest: HubRest;

  constructor(readonly options: AdminOptions) {
    // the admin paths name their community and household per call
    this.rest = new HubRest({ ...options, communityId: "-", householdId: "-" });
  }

  private static c(id: string) {
    return `/api/communities/${encodeURIComponent(id)}`;
  }

  communities = () => this.rest.request("GET", "/api/communities", Community.array());
  createCommunity = (c: CommunityInput) => this.rest.request("POST", "/api/communities", Community, c);
  registerMeter = (communityId: string, m: MeterRegistrationInput) =>
    this.rest.request("POST", `${HubAdmin.c(communityId)}/meters`, MeterRegistered, m);
  meters = (communityId: string) => this.rest.request("GET", `${HubAdmin.c(communityId)}/meters`, Meter.array());
  clear = (communityId: string, slot: string, commodity: Commodity = "electricity") =>
    this.rest.request("POST", `${HubAdmin.c(communityId)}/clearings`, SlotResult, { slot, commodity });

  /** A new participant account; answers its tokens (the account is not logged in here). */
  register = (email: string, password: string) =>
    this.rest.request("POST", "/api/auth/register", TokenPair, { email, password }, false);

  /**
   * Joins a household as a new participant: registers the account, links the meter with the
   * PIN the operator handed out, and makes a device token for the household's devices.
   */
  async joinHousehold(
    communityId: string,
    householdId: string,
    account: { email: string; password: string },
    meter: { meterId: string; pin: string },
    deviceName: string,
  ): Promise<DeviceTokenCreated> {
    await this.register(account.email, account.password);
    const member = new HubRest({ ...this.options, communityId, householdId, auth: account });
    await member.request("POST", "/api/meters/link", Meter, meter);
    return member.request(
      "POST",
      `${HubAdmin.c(communityId)}/households/${encodeURIComponent(householdId)}/device-tokens`,
      DeviceTokenCreated,
      { name: deviceName },
    );
  }
}
