import { describe, expect, it } from "vitest";
import { CommunityId, HouseholdId, MarketConfig, marketClock, storedHouseholdId } from "../src/index.js";

const market = MarketConfig.parse({
  timeZone: "UTC",
  retailPrice: 0.22,
  feedInTariff: 0.09,
  priceFloor: 0,
  priceCap: 0.5,
});

describe("branded ids", () => {
  it("are parsed where they come in, with the slug rule", () => {
    expect(CommunityId.parse("groene-mient")).toBe("groene-mient");
    expect(HouseholdId.safeParse("House 1").success).toBe(false);
    expect(storedHouseholdId("house-1")).toBe("house-1");
  });

  it("do not compile when swapped or given as plain strings (checked by tsc, which type-checks the tests)", () => {
    const c = CommunityId.parse("c");
    const h = HouseholdId.parse("h");
    expect(marketClock(c, market, new Date("2026-06-21T10:00:00Z")).communityId).toBe("c");
    // never called: what matters is that tsc refuses each line below
    const refused = () => {
      // @ts-expect-error a household id where a community id goes
      marketClock(h, market, new Date());
      // @ts-expect-error a plain string is no community id
      marketClock("c", market, new Date());
    };
    expect(typeof refused).toBe("function");
  });
});
