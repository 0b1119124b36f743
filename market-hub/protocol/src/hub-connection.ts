import { z } from "zod";

/*
 * How a household-side program (the Home Assistant bridge, the OpenEMS bridge, the Node-RED hub
 * node) names the hub it connects to. One schema, so each says the same about a bad URL.
 */

export const HubUrl = z.url({
  protocol: /^https?$/,
  message: "must be the hub's http(s) URL, e.g. http://localhost:8787",
});

/** The hub's broker for live results, where it is not the hub's own at <url>/mqtt. */
export const HubMqttUrl = z.url({ protocol: /^(mqtts?|wss?)$/, message: "must be an mqtt(s):// or ws(s):// URL" });

export const HubConnectionConfig = z.object({
  url: HubUrl,
  community: z.string().min(1, "is required: the community's id"),
  household: z.string().min(1, "is required: your household's id"),
  /** A device token of the household (made on the hub's /app page or by its REST API). */
  deviceToken: z.string().min(1, "is required: a device token of the household"),
  /** The hub's broker for live results; default: the hub's own at <url>/mqtt. */
  mqttUrl: HubMqttUrl.optional(),
});
export type HubConnectionConfig = z.output<typeof HubConnectionConfig>;
