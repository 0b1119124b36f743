import { describe, expect, it } from "vitest";
import { communityEntities, entityOwner, findEntityOwner, householdEntities } from "../src/entities.js";
import { HUB_ROUTES, hubApi, hubPath, successSchema } from "../src/index.js";

describe("the hub API table", () => {
  it("names every route once, with the method and path of HUB_ROUTES", () => {
    const seen = new Set<string>();
    for (const [name, route] of Object.entries(hubApi)) {
      expect(route.method, name).toBe(HUB_ROUTES[name as keyof typeof HUB_ROUTES].method);
      expect(route.path, name).toBe(HUB_ROUTES[name as keyof typeof HUB_ROUTES].path);
      const key = `${route.method} ${route.path}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
    expect(Object.keys(hubApi).sort()).toEqual(Object.keys(HUB_ROUTES).sort());
  });

  it("declares a schema for each path parameter, and none that the path lacks", () => {
    for (const [name, route] of Object.entries(hubApi)) {
      const inPath = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]).sort();
      const declared = Object.keys(("params" in route && route.params?.shape) || {}).sort();
      expect(declared, name).toEqual(inPath);
    }
  });

  it("gives one success shape per route (its statuses share it)", () => {
    for (const route of Object.values(hubApi)) {
      const schemas = new Set(Object.values(route.responses));
      expect(schemas.size, route.path).toBe(1);
      expect(successSchema(route)).toBe([...schemas][0]);
    }
  });

  it("fills path parameters URL-encoded and leaves undefined query values out", () => {
    expect(
      hubPath(HUB_ROUTES.statement, { communityId: "c 1", householdId: "h/2" }, { period: "week", date: undefined }),
    ).toBe("/api/communities/c%201/households/h%2F2/statement?period=week");
    expect(hubPath(HUB_ROUTES.revokeDeviceToken, { id: 7 })).toBe("/api/device-tokens/7");
    expect(() => hubPath(HUB_ROUTES.kpis, {} as { communityId: string })).toThrow(/communityId is missing/);
  });
});

describe("entity ids both ways", () => {
  it("gives back the slug each entity id was made from", () => {
    for (const family of [communityEntities, householdEntities]) {
      for (const [kind, entity] of Object.entries(family)) {
        for (const slug of ["demo", "house_1", "groene-mient"]) {
          const owner = entityOwner(entity, entity(slug));
          expect(owner, `${kind}(${slug})`).toBe(slug.replace(/-/g, "_"));
          expect(entity(owner ?? "")).toBe(entity(slug));
        }
      }
    }
  });

  it("does not take another kind's id that shares its ending", () => {
    // a household's effective price also ends in _price: it is no community's price sensor
    expect(entityOwner(communityEntities.price, householdEntities.effectivePrice("h1"))).toBeNull();
    expect(entityOwner(communityEntities.price, householdEntities.maxBuyPrice("h1"))).toBeNull();
    expect(entityOwner(communityEntities.price, "sensor.kitchen_price")).toBeNull();
    expect(
      findEntityOwner(communityEntities.price, [householdEntities.effectivePrice("h1"), communityEntities.price("c")]),
    ).toBe("c");
    expect(findEntityOwner(householdEntities.costToday, ["light.porch"])).toBeNull();
  });
});
