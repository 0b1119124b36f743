import { afterEach, describe, expect, it } from "vitest";
import openlem from "../src/index.js";
import { configVersion, migrateNode, nodeMigrations } from "../src/migrations.js";
import { firstVersion, latestVersion, type Migration, migrate, NewerConfigError } from "../src/shared/migrations.js";
import { nodeRedHelper } from "./node-red-helper.js";

// a boiler as the 0.1.0 editor saved it: editor strings, no version
const boiler010 = {
  id: "b",
  type: "openlem-boiler",
  name: "tank",
  hub: "",
  limit: "absolute",
  maxBuyPrice: "0.25",
  cheapestShare: "0.25",
  volumeL: "200",
  minTempC: "45",
  tickS: "5",
  wires: [[], []],
};

describe("settings migrations", () => {
  it("every node type has its migrations, starting at version 1 and numbered without gaps", () => {
    expect(Object.keys(nodeMigrations).sort()).toEqual(
      [
        "openlem-battery",
        "openlem-boiler",
        "openlem-ev",
        "openlem-hub",
        "openlem-meter",
        "openlem-order",
        "openlem-price",
        "openlem-result",
        "openlem-schedule",
      ].sort(),
    );
    for (const [type, list] of Object.entries(nodeMigrations)) {
      expect(
        list.map((m) => m.to),
        type,
      ).toEqual(list.map((_, i) => i + 1));
      expect(configVersion(type)).toBe(list.length);
    }
  });

  it("version 1: a 0.1.0 node, which has no version, keeps every setting and gets version 1", () => {
    for (const type of Object.keys(nodeMigrations)) {
      const migrated = migrateNode(type, { ...boiler010, type });
      expect(migrated).toEqual({ ...boiler010, type, version: 1 });
    }
    expect(firstVersion.up(boiler010)).toEqual(boiler010);
  });

  it("applies each migration once, in order, from the node's own version", () => {
    const seen: number[] = [];
    const steps: Migration[] = [
      {
        to: 3,
        why: "rename b to c",
        up: ({ b, ...rest }) => {
          seen.push(3);
          return { ...rest, c: b };
        },
      },
      firstVersion,
      {
        to: 2,
        why: "rename a to b",
        up: ({ a, ...rest }) => {
          seen.push(2);
          return { ...rest, b: a };
        },
      },
    ];
    expect(latestVersion(steps)).toBe(3);
    expect(migrate("t", { a: 5 }, steps)).toEqual({ c: 5, version: 3 });
    expect(seen).toEqual([2, 3]);
    // a node saved at version 2 (its version as the editor stores it, a string) takes only step 3
    seen.length = 0;
    expect(migrate("t", { b: 7, version: "2" }, steps)).toEqual({ c: 7, version: 3 });
    expect(seen).toEqual([3]);
    // current already: nothing changes
    expect(migrate("t", { c: 1, version: 3 }, steps)).toEqual({ c: 1, version: 3 });
  });

  it("refuses settings from a newer release and says to update the package", () => {
    expect(() => migrateNode("openlem-boiler", { ...boiler010, version: 99 })).toThrow(NewerConfigError);
    expect(() => migrateNode("openlem-boiler", { ...boiler010, version: 99 })).toThrow(
      /settings version 99, this one knows up to 1\): update the package in Manage palette/,
    );
  });
});

describe("migrations in the Node-RED runtime", () => {
  const helper = nodeRedHelper("migrations");
  afterEach(async () => {
    await helper.unload();
  });

  it("a flow saved by 0.1.0 starts; a node from a newer release stays red and says what to do", async () => {
    await helper.load(openlem, [
      boiler010,
      { ...boiler010, id: "future", name: "from a newer release", version: 99 },
      { id: "cmd", type: "helper" },
    ]);
    const errors = () =>
      helper
        .log()
        .args.map(([e]) => e)
        .filter((e) => e.level === 20 && e.id !== undefined)
        .map((e) => `${e.id}: ${String(e.msg)}`);
    await expect.poll(errors).toContainEqual(expect.stringMatching(/^future: openlem-boiler: .*settings version 99/));
    expect(errors().filter((e) => e.startsWith("b:"))).toEqual([]);
  });
});
