import {
  type Commodity,
  type CommunityInput,
  type DeviceTokenCreated,
  hubApi,
  type MeterRegistrationInput,
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

  communities = () => this.rest.call(hubApi.listCommunities);
  createCommunity = (c: CommunityInput) => this.rest.call(hubApi.createCommunity, { body: c });
  registerMeter = (communityId: string, m: MeterRegistrationInput) =>
    this.rest.call(hubApi.registerMeter, { params: { communityId }, body: m });
  meters = (communityId: string) => this.rest.call(hubApi.listMeters, { params: { communityId } });
  clear = (communityId: string, slot: string, commodity: Commodity = "electricity") =>
    this.rest.call(hubApi.clearSlot, { params: { communityId }, body: { slot, commodity } });

  /** A new participant account; answers its tokens (the account is not logged in here). */
  register = (email: string, password: string) => this.rest.call(hubApi.register, { body: { email, password } });

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
    await member.call(hubApi.linkMeter, { body: meter });
    return member.call(hubApi.createDeviceToken, { body: { name: deviceName } });
  }
}
