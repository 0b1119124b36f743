import { spawn } from "node:child_process";
import { join } from "node:path";
import { TokenPair } from "@openlem/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithRealService } from "../../../test-support/real-services.js";
import { configFromEnv } from "../src/config.js";
import { DEMO_OPERATOR, DEMO_PARTICIPANT, type RunningDemo, runDemo } from "../src/demo/run.js";

// schemathesis (a real peer from PyPI) generates requests from the hub's OpenAPI document and
// checks every answer against it: no server error, every status and body documented, valid
// input taken, invalid input refused, a method no route takes refused with 405. Bounded here
// (a fixed seed, a few examples an operation); `npm run reliability -w @openlem/hub` runs more.
const CONFIG = join(import.meta.dirname, "../../../test-support/schemathesis/schemathesis.toml");
const EXAMPLES = Number(process.env.OPENLEM_SCHEMATHESIS_EXAMPLES ?? 10);

function st(bin: string, url: string, token: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const args = ["--config-file", CONFIG, "run", `${url}/api/openapi.json`, "-H", `Authorization: Bearer ${token}`];
    args.push("--max-examples", String(EXAMPLES), "--seed", "20261203", "--checks", "all", "--no-color");
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.on("exit", (code) => resolve({ code, out }));
  });
}

async function login(url: string, who: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(who),
  });
  return TokenPair.parse(await res.json()).accessToken;
}

describeWithRealService("schemathesis", "the hub's API against its OpenAPI document (schemathesis)", (bin) => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await runDemo({
      config: configFromEnv(
        {},
        { port: 0, mqttPort: 0, dataDir: "memory://", logLevel: "silent", authRatePerMinute: 100_000 },
      ),
      speed: 1,
      historyHours: 2,
    });
  }, 120_000);
  afterAll(() => demo?.stop());

  for (const who of ["operator", "participant"] as const) {
    it(`finds no failure of any kind as the ${who}`, async () => {
      const url = demo.hub.url;
      let token = await login(url, who === "operator" ? DEMO_OPERATOR : DEMO_PARTICIPANT);
      if (who === "participant") {
        await fetch(`${url}/api/meters/link`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(demo.linkMeter),
        });
        token = await login(url, DEMO_PARTICIPANT);
      }
      const { code, out } = await st(bin, url, token);
      const summary = out.slice(out.lastIndexOf("SUMMARY"));
      expect(summary, out.slice(-6000)).toMatch(/Test cases:\s+\d+ generated, \d+ passed/);
      expect(summary, out.slice(-6000)).not.toMatch(/Failures:|Errors:/);
      expect(code, out.slice(-6000)).toBe(0);
    }, 300_000);
  }
});
