import { HubConnectionConfig, HubMqttUrl } from "@openlem/protocol";
import { z } from "zod";

/**
 * The hub config node's fields, for the runtime and the edit dialog alike: the protocol's hub
 * connection, without the token (a credential in Node-RED) and with an empty MQTT URL for
 * the hub's own broker.
 */
export const HubDef = HubConnectionConfig.pick({ url: true, community: true, household: true }).extend({
  mqttUrl: z
    .string()
    .trim()
    .transform((s) => s || undefined)
    .pipe(HubMqttUrl.optional())
    .optional(),
});
