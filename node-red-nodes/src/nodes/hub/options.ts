import { z } from "zod";

/** The hub config node's fields, for the runtime and the edit dialog alike. */
export const HubDef = z.object({
  url: z.url({ protocol: /^https?$/, message: "must be the hub's http(s) URL, e.g. http://localhost:8787" }),
  community: z.string().min(1, "is required: the community's id"),
  household: z.string().min(1, "is required: your household's id"),
  mqttUrl: z
    .string()
    .trim()
    .transform((s) => s || undefined)
    .pipe(z.url({ protocol: /^(mqtts?|wss?)$/, message: "must be an mqtt(s):// or ws(s):// URL" }).optional())
    .optional(),
});
