import { readFileSync } from "node:fs";
import {
  isRuleId,
  MarketConfig,
  OrderInput,
  RULES_AGAINST_STATE,
  RULES_WITHIN_REQUEST,
  StandingPreference,
} from "@openlem/protocol";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * The OpenAPI document is made from these schemas. Whatever the document says, a request
 * that breaks it is a 400; the rules it cannot say are the listed 422 ones. So, for every
 * input here, a JSON Schema validator reading the document's schema and zod (less the rules
 * beyond the schema) must agree on the verdict.
 */
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

function agree(schema: z.ZodType, inputs: readonly unknown[]) {
  const document = ajv.compile(z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }));
  const disagreements = inputs.flatMap((input) => {
    const r = schema.safeParse(input);
    const shapeIssues = r.success
      ? []
      : r.error.issues.filter((i) => !(i.code === "custom" && isRuleId((i.params as { rule?: unknown })?.rule)));
    const zodSays = shapeIssues.length === 0;
    const documentSays = document(input);
    return zodSays === documentSays
      ? []
      : [{ input, zod: shapeIssues.map((i) => i.message), document: document.errors?.map((e) => e.message) }];
  });
  return disagreements;
}

/** Every combination of the values given for each field (undefined: the field left out). */
function combinations(fields: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(fields))
    out = out.flatMap((o) => values.map((v) => (v === undefined ? o : { ...o, [k]: v })));
  return out;
}

describe("the OpenAPI document says what the schemas check", () => {
  it("orders: a single price or a curve, source only on sells, sourceLimits only on single-price buys", () => {
    const inputs = combinations({
      clientOrderId: ["o-1"],
      slot: ["2026-06-21T10:15:00Z"],
      side: ["buy", "sell"],
      energyWh: [undefined, 1000],
      limitPrice: [undefined, 0.2],
      steps: [
        undefined,
        [
          { price: 0.3, energyWh: 100 },
          { price: 0.2, energyWh: 100 },
        ],
        [
          { price: 0.2, energyWh: 100 },
          { price: 0.3, energyWh: 100 },
        ],
      ],
      source: [undefined, "pv"],
      sourceLimits: [undefined, { pv: 0.2 }],
      validFrom: [undefined, "2026-06-21T10:00:00Z"],
      validUntil: [undefined, "2026-06-21T09:00:00Z"],
    });
    expect(inputs.length).toBe(2 * 2 * 2 * 3 * 2 * 2 * 2 * 2);
    expect(agree(OrderInput, inputs)).toEqual([]);
    // the checks can fail: both verdicts occur
    expect(inputs.filter((i) => OrderInput.safeParse(i).success).length).toBeGreaterThan(0);
    expect(inputs.filter((i) => !OrderInput.safeParse(i).success).length).toBeGreaterThan(0);
  });

  it("standing preferences: a buy limit, a sell limit or both", () => {
    const inputs = combinations({
      maxBuyPrice: [undefined, null, 0.2, -0.4, 0.000001],
      minSellPrice: [undefined, null, 0.1],
      validFrom: [undefined, "2026-06-21T10:00:00Z"],
      validUntil: [undefined, "2026-06-21T09:00:00Z"],
    });
    expect(agree(StandingPreference, inputs)).toEqual([]);
  });

  it("markets: slot lengths that divide a day, a fee that is not negative, sources once, a time zone's shape", () => {
    const base = { timeZone: "Europe/Berlin", retailPrice: 0.22, feedInTariff: 0.09, priceFloor: 0, priceCap: 0.5 };
    const inputs = [
      ...[0, 1, 7, 15, 16, 45, 90, 96, 100, 1440, 1441, 2880, 15.5].map((slotMinutes) => ({ ...base, slotMinutes })),
      ...[-0.01, 0, 0.02].map((localGridFee) => ({ ...base, localGridFee })),
      ...[-0.01, 0.01].map((localGridFee) => ({ ...base, heat: { retailPrice: 0.1, feedInTariff: 0, localGridFee } })),
      ...[["pv"], ["pv", "pv"], ["pv", "chp", "battery"], []].map((sourceOrder) => ({ ...base, sourceOrder })),
      ...[
        "UTC",
        "Europe/Berlin",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT-14",
        "America/Port-au-Prince",
        "Mars/Olympus_Mons",
        "",
        "Europe/",
        "/Berlin",
        "Europe Berlin",
        "../etc/passwd",
      ].map((timeZone) => ({ ...base, timeZone })),
      // what only the rules beyond the schema refuse: agreed on as schema-valid
      { ...base, feedInTariff: 0.3 },
      { ...base, priceFloor: 0.6 },
      { ...base, retailPrice: 0.2200001 },
      ...[1e6, -1e6, 1000, -1000].map((priceCap) => ({ ...base, priceCap })),
    ];
    expect(agree(MarketConfig, inputs)).toEqual([]);
  });
});

describe("docs/reliability.md lists the rules beyond the schema", () => {
  const doc = readFileSync(new URL("../../../docs/reliability.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("## Rules beyond the schema"), doc.indexOf("## What is not proven here"));
  const listed = (heading: string) => {
    const start = section.search(new RegExp(`^\\| ${heading} +\\|`, "m"));
    const table = section.slice(start).split("\n\n")[0] ?? "";
    return Object.fromEntries([...table.matchAll(/^\| `([a-z-]+)` +\| (.*?) +\|$/gm)].map((m) => [m[1], m[2]]));
  };

  it("each rule with what it asks, in the tables of the code", () => {
    expect(listed("Within the request")).toEqual(RULES_WITHIN_REQUEST);
    expect(listed("Against what the hub holds")).toEqual(RULES_AGAINST_STATE);
  });

  it("with their count", () => {
    const within = Object.keys(RULES_WITHIN_REQUEST).length;
    const against = Object.keys(RULES_AGAINST_STATE).length;
    expect(section).toContain(`can still break ${within + against} rules`);
    expect(section.replace(/\s+/g, " ")).toContain(`${within} within the request`);
    expect(section.replace(/\s+/g, " ")).toContain(`and ${against} against what the hub holds`);
  });
});
