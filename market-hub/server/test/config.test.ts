import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFromEnv } from "../src/config.js";

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "openlem-config-")), "hub.json");
  writeFileSync(path, content);
  return path;
};

describe("hub configuration", () => {
  it("has defaults for a laptop: port 8787, embedded database in ./data, embedded broker on 1884", () => {
    expect(configFromEnv({})).toMatchObject({ port: 8787, host: "127.0.0.1", dataDir: "./data", mqttPort: 1884 });
  });

  it("reads a JSON file, with environment variables over it", () => {
    const path = file(JSON.stringify({ port: 9000, dataDir: "/var/lib/openlem", logLevel: "warn" }));
    expect(configFromEnv({ OPENLEM_CONFIG: path })).toMatchObject({
      port: 9000,
      dataDir: "/var/lib/openlem",
      logLevel: "warn",
    });
    expect(configFromEnv({ OPENLEM_CONFIG: path, PORT: "9100" })).toMatchObject({
      port: 9100,
      dataDir: "/var/lib/openlem",
    });
  });

  it("names where a bad value came from and the rule", () => {
    expect(() => configFromEnv({ PORT: "eighty" })).toThrow(/PORT: /);
    expect(() => configFromEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    const path = file(JSON.stringify({ mqttPort: 70000 }));
    expect(() => configFromEnv({}, {}, path)).toThrow(new RegExp(`${path.replaceAll("/", "\\/")}: mqttPort: `));
    expect(() => configFromEnv({}, {}, file("{ not json"))).toThrow(/is not valid JSON/);
    expect(() => configFromEnv({}, {}, file(JSON.stringify({ prot: 1 })))).toThrow(/unknown setting prot/);
    expect(() => configFromEnv({}, {}, "/nonexistent/hub.json")).toThrow(/cannot read the configuration file/);
  });
});
