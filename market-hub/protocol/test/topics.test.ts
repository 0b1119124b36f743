import {
  CommunityId,
  communityEntities,
  discoveryTopic,
  householdEntities,
  parseTopic,
  topicFilters,
  topics,
} from "@openlem/protocol";
import { describe, expect, it } from "vitest";

describe("MQTT topics", () => {
  it("parses back every topic it builds", () => {
    expect(parseTopic(topics.status("gm"))).toEqual({ kind: "status", community: "gm" });
    expect(parseTopic(topics.kpis("gm"))).toEqual({ kind: "kpis", community: "gm" });
    expect(parseTopic(topics.price("gm", "heat"))).toEqual({ kind: "price", community: "gm", commodity: "heat" });
    const slot = "2026-06-21T10:15:00.000Z";
    expect(parseTopic(topics.result("gm", "electricity", slot))).toEqual({
      kind: "result",
      community: "gm",
      commodity: "electricity",
      slot,
    });
    expect(parseTopic(topics.latestResult("gm", "electricity"))?.kind).toBe("result");
    expect(parseTopic(topics.trades("gm", "h-1"))).toEqual({ kind: "trades", community: "gm", household: "h-1" });
    for (const kind of ["orders", "readings", "acks"] as const) {
      expect(parseTopic(topics[kind]("gm", "h-1"))).toEqual({ kind, community: "gm", household: "h-1" });
    }
  });

  it("returns null for topics outside the suite", () => {
    expect(parseTopic("openlem/gm")).toBeNull();
    expect(parseTopic("other/gm/status")).toBeNull();
    expect(parseTopic("openlem/gm/households/h-1/secrets")).toBeNull();
    expect(parseTopic("openlem/gm/households/h-1/trades/extra")).toBeNull();
  });

  it("never lets an id carry MQTT wildcards or levels", () => {
    for (const bad of ["a/b", "a+b", "a#", "A", "", "-x"]) expect(CommunityId.safeParse(bad).success).toBe(false);
    expect(topicFilters.allPublic("gm")).toContain("openlem/gm/results/#");
  });
});

describe("Home Assistant entity ids", () => {
  it("turns slugs into Home Assistant object ids", () => {
    expect(communityEntities.price("groene-mient")).toBe("sensor.openlem_groene_mient_price");
    expect(householdEntities.maxBuyPrice("house-12")).toBe("number.openlem_house_12_max_buy_price");
  });

  it("derives the discovery topic from the entity id", () => {
    expect(discoveryTopic("sensor.openlem_gm_price")).toBe("homeassistant/sensor/openlem_gm_price/config");
  });
});
