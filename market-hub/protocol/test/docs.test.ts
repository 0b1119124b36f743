import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as protocol from "@openlem/protocol";
import { describe, expect, it } from "vitest";
import type { z } from "zod";

const docPath = fileURLToPath(new URL("../../../docs/protocol.md", import.meta.url));
const doc = readFileSync(docPath, "utf8");

interface Example {
  schema: string;
  json: string;
  line: number;
}

function examples(markdown: string): Example[] {
  const out: Example[] = [];
  const re = /^```json openlem:(\w+)\n([\s\S]*?)^```/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    out.push({ schema: m[1] ?? "", json: m[2] ?? "", line: markdown.slice(0, m.index).split("\n").length });
  }
  return out;
}

const found = examples(doc);
const schemas = protocol as unknown as Record<string, z.ZodType | undefined>;

describe("docs/protocol.md", () => {
  it("has examples", () => {
    expect(found.length).toBeGreaterThan(10);
  });

  it.each(found.map((e) => [`${e.schema} (line ${e.line})`, e] as const))("example %s parses", (_name, e) => {
    const schema = schemas[e.schema];
    expect(schema, `no schema named ${e.schema} in @openlem/protocol`).toBeDefined();
    const r = schema?.safeParse(JSON.parse(e.json));
    expect(r?.error ? protocol.describeProblems(protocol.fieldProblems(r.error)) : "ok").toBe("ok");
  });

  it("shows an example of every wire payload", () => {
    const documented = new Set(found.map((e) => e.schema));
    const payloads = [
      "MarketConfig",
      "Community",
      "MarketClock",
      "OrderInput",
      "OrderBatch",
      "OrderRecord",
      "StandingPreference",
      "ReadingBatch",
      "SlotEnergy",
      "SlotResult",
      "HouseholdTrades",
      "PriceSignal",
      "Statement",
      "Kpis",
      "KpiSignal",
      "HubStatus",
      "SubmissionAck",
      "Registration",
      "TokenPair",
      "Me",
      "MeterRegistration",
      "MeterRegistered",
      "MeterLink",
      "DeviceTokenCreated",
    ];
    expect(payloads.filter((p) => !documented.has(p))).toEqual([]);
  });
});
