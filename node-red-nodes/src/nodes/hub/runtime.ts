import { describeProblems, fieldProblems } from "@openlem/protocol";
import { HubConnection } from "../../shared/connection.js";
import type { NodeDef, Red } from "../../shared/red.js";
import type { HubConfigNode } from "../../shared/uses-hub.js";
import { HubDef } from "./options.js";

export function registerHub(RED: Red): void {
  RED.nodes.registerType(
    "openlem-hub",
    function (this: HubConfigNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const parsed = HubDef.safeParse(def);
      const token = this.credentials?.token;
      if (!parsed.success) {
        this.problem = describeProblems(fieldProblems(parsed.error));
        return;
      }
      if (!token) {
        this.problem = "no device token: make one in the hub (your household > devices) and paste it here";
        return;
      }
      this.connection = new HubConnection({
        url: parsed.data.url,
        communityId: parsed.data.community,
        householdId: parsed.data.household,
        deviceToken: token,
        mqttUrl: parsed.data.mqttUrl,
      });
      this.on("close", (_removed, done) => {
        void this.connection?.close().finally(done);
      });
    },
    { credentials: { token: { type: "password" } } },
  );
}
