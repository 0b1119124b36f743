import { createServer, type Server } from "node:http";

/**
 * STAND-IN for an OpenEMS Edge (not OpenEMS itself): an HTTP server answering in the shapes of
 * the Edge's REST API (Controller Api REST/JSON, documented at
 * https://openems.github.io/openems.io/openems/latest/edge/controller.d/io.openems.edge.controller.api.rest.html):
 * GET /rest/channel/<component>/<channel> → { address, type, accessMode, text, unit, value };
 * POST with { "value": ... } writes a channel; HTTP basic auth where only the password counts;
 * an unknown channel is a 404. Like the Edge, it forgets a written set-point after `timeoutMs`.
 */
export class EdgeStandIn {
  readonly channels = new Map<string, number | null>();
  readonly writes: { channel: string; value: number | null; at: number }[] = [];
  private server!: Server;
  url = "";

  constructor(
    readonly password: string,
    readonly timeoutMs = 60_000,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const auth = req.headers.authorization ?? "";
      const pass = Buffer.from(auth.replace(/^Basic /, ""), "base64")
        .toString()
        .split(":")[1];
      if (pass !== this.password) return void res.writeHead(401).end();
      const m = /^\/rest\/channel\/([^/]+\/[^/]+)$/.exec(req.url ?? "");
      const channel = m?.[1];
      if (!channel || !this.channels.has(channel)) return void res.writeHead(404).end();
      if (req.method === "GET") {
        const write = this.writes.findLast((w) => w.channel === channel);
        const value = write && Date.now() - write.at > this.timeoutMs ? null : (this.channels.get(channel) ?? null);
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(
          JSON.stringify({ address: channel, type: "INTEGER", accessMode: "RW", text: "", unit: "", value }),
        );
      }
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const raw = (JSON.parse(body) as { value: unknown }).value;
        // null releases a written value: the channel goes back to what the Edge's controllers do
        const value = raw === null ? null : Number(raw);
        if (value !== null) this.channels.set(channel, value);
        this.writes.push({ channel, value, at: Date.now() });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
