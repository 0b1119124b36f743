import type { CommunityId } from "@openlem/protocol";
import type { ClearedSlot } from "./services/clearing.js";

/** What the HTTP side tells the rest of the hub (the MQTT publisher listens here). */
export interface HubEvents {
  cleared(communityId: CommunityId, cleared: ClearedSlot): void;
  communityCreated(communityId: CommunityId): void;
}
