import { describe, expect, it } from "vitest";
import { afterFailedSend, HubError, Outbox } from "../src/index.js";

// The one send-later policy, and the outbox that keeps to it (a stand-in `send` plays the hub's
// answers: these are the hub's failures, which a real hub gives in the packages' own tests)
const refusal = (status: number, fields: string[] = []) =>
  new HubError(
    status,
    "refused",
    "refused",
    fields.map((field) => ({ field, rule: "is wrong" })),
  );

describe("the send-later policy", () => {
  it("keeps a batch through an outage or a refused token, drops what a refusal names, or the batch", () => {
    const batch = ["a", "b", "c"];
    for (const err of [
      new TypeError("fetch failed"),
      refusal(0),
      refusal(502),
      refusal(503),
      refusal(401),
      refusal(403),
    ])
      expect(afterFailedSend(batch, err, "readings")).toEqual({ wait: true });
    expect(afterFailedSend(batch, refusal(422, ["readings[1].at", "readings[1].importWh"]), "readings")).toEqual({
      wait: false,
      dropped: ["b"],
      again: ["a", "c"],
    });
    // a 422 naming nothing it can place, or any other refusal: the batch cannot be mended
    for (const err of [refusal(422, ["slot"]), refusal(400), refusal(409), refusal(500)])
      expect(afterFailedSend(batch, err, "readings")).toEqual({ wait: false, dropped: batch, again: [] });
    // orders go whole or not at all: a refusal drops the batch whatever it names
    expect(afterFailedSend(batch, refusal(422, ["orders[1].limitPrice"]))).toEqual({
      wait: false,
      dropped: batch,
      again: [],
    });
  });
});

describe("the outbox", () => {
  function box(answers: (string[] | Error)[], o: { perRequest?: number; max?: number } = {}) {
    let items: string[] = [];
    const sent: string[][] = [];
    const outbox = new Outbox<string, number>({
      store: { get: () => items, set: (v) => (items = v) },
      send: async (batch) => {
        sent.push(batch);
        const a = answers.shift();
        if (a instanceof Error) throw a;
        return batch.length;
      },
      field: "readings",
      ...o,
    });
    return { outbox, sent, items: () => items };
  }

  it("sends oldest first, keeps what waits through an outage, and sends the rest of a partial refusal again", async () => {
    const b = box([new TypeError("fetch failed"), refusal(422, ["readings[0].at"]), []], { perRequest: 10 });
    b.outbox.add(["r1", "r2", "r3"]);
    const away = await b.outbox.flush();
    expect(away).toMatchObject({ sent: [], refused: [], waiting: 3 });
    expect(away.stoppedBy).toBeInstanceOf(TypeError);
    const back = await b.outbox.flush();
    expect(back).toMatchObject({ sent: ["r2", "r3"], waiting: 0, stoppedBy: null });
    expect(back.refused.map((x) => x.items)).toEqual([["r1"]]);
    expect(b.sent).toEqual([
      ["r1", "r2", "r3"],
      ["r1", "r2", "r3"],
      ["r2", "r3"],
    ]);
  });

  it("runs one flush at a time, each reporting its own items, and keeps at most `max`", async () => {
    const b = box([[], []], { perRequest: 2, max: 3 });
    b.outbox.add(["a", "b", "c", "d"]);
    expect(b.items()).toEqual(["b", "c", "d"]);
    const [first, second] = await Promise.all([b.outbox.flush(), b.outbox.flush()]);
    expect(first?.sent).toEqual(["b", "c", "d"]);
    expect(second?.sent).toEqual([]);
    expect(b.items()).toEqual([]);
  });
});
