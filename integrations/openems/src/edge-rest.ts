import { z } from "zod";

/**
 * An OpenEMS Edge's REST API (the "Controller Api REST/JSON" component): one channel per
 * request at /rest/channel/<component>/<channel>, HTTP basic auth. A GET answers
 * `{ address, type, accessMode, text, unit, value }`; a POST with `{ "value": ... }` writes a
 * writable channel (documented in the OpenEMS Edge docs, controller.api.rest).
 */
const ChannelValue = z.object({ address: z.string(), value: z.number().nullable() });

export class EdgeError extends Error {}

export class EdgeRest {
  private readonly auth: string;

  constructor(
    readonly url: string,
    username: string,
    password: string,
  ) {
    this.auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  }

  private async request(method: "GET" | "POST", channel: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url.replace(/\/$/, "")}/rest/channel/${channel}`, {
        method,
        headers: { authorization: this.auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (err) {
      throw new EdgeError(`the Edge at ${this.url} did not answer (${(err as Error).message})`);
    }
    if (res.status === 401) throw new EdgeError("the Edge refused the password (edge.password)");
    if (!res.ok) throw new EdgeError(`the Edge answered ${res.status} for ${channel}`);
    return method === "GET" ? res.json() : null;
  }

  /** A channel's value; null when the Edge has no value yet. */
  async read(channel: string): Promise<number | null> {
    const parsed = ChannelValue.safeParse(await this.request("GET", channel));
    if (!parsed.success) throw new EdgeError(`the Edge's answer for ${channel} is not a channel value`);
    return parsed.data.value;
  }

  /** Writes a channel; null releases a set-point, so the Edge's own controllers take over again. */
  async write(channel: string, value: number | null): Promise<void> {
    await this.request("POST", channel, { value });
  }
}
