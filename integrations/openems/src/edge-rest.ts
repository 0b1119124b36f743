import { z } from "zod";

/**
 * An OpenEMS Edge's REST API (the "Controller Api REST/JSON" component): one channel per
 * request at /rest/channel/<component>/<channel>, HTTP basic auth. A GET answers
 * `{ address, type, accessMode, text, unit, value }` (no `value` for a write-only channel); a
 * POST with `{ "value": ... }` writes a writable channel; POST /jsonrpc takes JSON-RPC requests.
 * Reading needs the guest role, writing and JSON-RPC the owner role or higher.
 */
const ChannelValue = z.object({
  address: z.string(),
  accessMode: z.string().optional(),
  unit: z.string().optional(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]).optional(),
});

/** A JSON-RPC error, as Edges before 2025.4 answer every error (`JsonrpcResponseError`). */
const RpcError = z.object({ error: z.object({ code: z.number(), message: z.string() }) });

/**
 * Jetty 12's own error page as JSON (`ErrorHandler.writeErrorJson`), what Edges from 2025.4 on
 * answer for every refusal on the REST path when asked for JSON: `message` is the Java
 * exception, `<class>: <message>`, XML-escaped.
 */
const JettyError = z.object({ message: z.string(), status: z.string().optional(), url: z.string().optional() });

/**
 * What went wrong, told from the body: Edges before 2025.4 answer 401 or 400, Edges on Jetty 12
 * answer 500 for every error, so the status alone cannot tell a wrong password from a guest.
 */
export type EdgeProblem =
  | "unreachable"
  | "password"
  | "role"
  | "read-only"
  | "not-writable"
  | "no-channel"
  | "no-value"
  | "other";

export class EdgeError extends Error {
  constructor(
    message: string,
    readonly problem: EdgeProblem = "other",
    /** The role the Edge named, where it refused one (GUEST, OWNER, …). */
    readonly role?: string,
  ) {
    super(message);
  }
}

/** OpenEMS's error codes (`OpenemsError.java`). */
const ROLE_DENIED = 1002;
const AUTHENTICATION_FAILED = 1003;

/**
 * The Edge's REST controller serves a few connections at a time (`connectionlimit`, default
 * 5, shared with every other client): the bridge keeps to two requests at once.
 */
const MAX_IN_FLIGHT = 2;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? "");

/**
 * The Edge's own words from an error body: a JSON-RPC error (code and message), Jetty 12's
 * JSON error (the exception, its Java class stripped), or, should something between the
 * bridge and the Edge ask for HTML or text, Jetty's HTML or text page (its MESSAGE row).
 */
function edgeWords(body: string): { code?: number; message: string } {
  let json: unknown = null;
  try {
    json = JSON.parse(body);
  } catch {
    // not JSON: Jetty's HTML or text page, or nothing
  }
  const rpc = RpcError.safeParse(json);
  if (rpc.success) return rpc.data.error;
  const jetty = JettyError.safeParse(json);
  const raw =
    (jetty.success ? jetty.data.message : undefined) ??
    /<th>MESSAGE:<\/th><td>([^<]*)<\/td>/.exec(body)?.[1] ??
    /^MESSAGE: (.*)$/m.exec(body)?.[1] ??
    body;
  return {
    message: unescapeXml(raw)
      .replace(/^(?:[\w$]+\.)+[\w$]+(?:Exception|Error): /, "")
      .trim(),
  };
}

export function edgeProblem(status: number, body: string, what: string): EdgeError {
  const { code, message } = edgeWords(body);
  if (code === AUTHENTICATION_FAILED || /^Authentication failed/.test(message) || (!message && status === 401))
    return new EdgeError("the Edge refused the password (edge.password)", "password");
  const denied = /is denied for User with Role \[(\w+)\]/.exec(message);
  if (code === ROLE_DENIED || denied) {
    const role = denied?.[1]?.toUpperCase();
    if (role && role !== "GUEST")
      return new EdgeError(
        `the Edge refuses writes to its ${role.toLowerCase()} (older Edges let only the admin write):` +
          " put the admin's password in edge.password",
        "role",
        role,
      );
    return new EdgeError(
      "the Edge user is a guest and may only read: the bridge writes the battery's set-point, which needs" +
        " the owner role or higher. Put the password of the Edge's owner (or installer or admin) in edge.password",
      "role",
      role,
    );
  }
  if (/Read-Only mode/i.test(message))
    return new EdgeError(
      "the Edge's REST API is the read-only controller (Controller Api REST/JSON Read-Only): add the" +
        " Read-Write one (Controller Api REST/JSON Read-Write) in the Edge's settings",
      "read-only",
    );
  if (/not a Write Channel|is not defined|Unable to find OpenEMS Component/i.test(message))
    return new EdgeError(
      `the Edge does not take ${what}: is that component a managed battery (ManagedSymmetricEss)? (${firstLine(message)})`,
      "not-writable",
    );
  return new EdgeError(`the Edge answered ${status} for ${what}${message ? `: ${firstLine(message)}` : ""}`);
}

function firstLine(text: string): string {
  return text
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200);
}

export class EdgeRest {
  private readonly auth: string;
  private inFlight = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    readonly url: string,
    username: string,
    password: string,
  ) {
    this.auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  }

  private async slot<T>(f: () => Promise<T>): Promise<T> {
    if (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => this.queue.push(r));
    this.inFlight++;
    try {
      return await f();
    } finally {
      this.inFlight--;
      this.queue.shift()?.();
    }
  }

  private request(method: "GET" | "POST", path: string, what: string, body?: unknown): Promise<unknown> {
    return this.slot(async () => {
      let res: Response;
      try {
        res = await fetch(`${this.url.replace(/\/$/, "")}${path}`, {
          method,
          // Jetty 12 writes its error pages as JSON only when asked to (HTML otherwise)
          headers: {
            authorization: this.auth,
            accept: "application/json",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(5_000),
        });
      } catch (err) {
        throw new EdgeError(`the Edge at ${this.url} did not answer (${(err as Error).message})`, "unreachable");
      }
      const text = await res.text();
      if (res.status === 404) throw new EdgeError(`the Edge has no ${what}`, "no-channel");
      if (!res.ok) throw edgeProblem(res.status, text, what);
      try {
        return text ? (JSON.parse(text) as unknown) : null;
      } catch {
        throw new EdgeError(`the Edge's answer for ${what} is not JSON`);
      }
    });
  }

  private async channel(channel: string): Promise<z.infer<typeof ChannelValue>> {
    const parsed = ChannelValue.safeParse(await this.request("GET", `/rest/channel/${channel}`, channel));
    if (!parsed.success) throw new EdgeError(`the Edge's answer for ${channel} is not a channel value`);
    if (!("value" in parsed.data) || parsed.data.value === undefined)
      throw new EdgeError(`${channel} is write-only on the Edge: it cannot be read`, "no-value");
    return parsed.data;
  }

  /** A number channel's value; null when the Edge has no value yet. */
  async read(channel: string): Promise<number | null> {
    const { value } = await this.channel(channel);
    if (value === null || typeof value === "number") return value;
    throw new EdgeError(`the Edge's ${channel} is not a number (${JSON.stringify(value)})`);
  }

  /** A text channel's value (such as a controller's ApiWorkerLog); null when it has none. */
  async readText(channel: string): Promise<string | null> {
    const { value } = await this.channel(channel);
    return value === null ? null : String(value);
  }

  /** Writes a channel; null releases a set-point, so the Edge's own controllers take over again. */
  async write(channel: string, value: number | null): Promise<void> {
    await this.request("POST", `/rest/channel/${channel}`, channel, { value });
  }

  /** A JSON-RPC request over REST (owner role or higher): its result. */
  async rpc(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const answer = await this.request("POST", "/jsonrpc", `the JSON-RPC request ${method}`, {
      jsonrpc: "2.0",
      id: crypto.randomUUID(),
      method,
      params,
    });
    const error = RpcError.safeParse(answer);
    if (error.success) throw edgeProblem(200, JSON.stringify(answer), `the JSON-RPC request ${method}`);
    return (answer as { result?: unknown } | null)?.result ?? null;
  }
}
