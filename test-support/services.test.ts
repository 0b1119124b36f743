import mqtt from "mqtt";
import pg from "pg";
import { expect, it } from "vitest";
import { describeWithRealService } from "./real-services.js";

// These check that the services the real-service suites use answer, so that a broken CI
// machine fails here with the address named, not in thirty storage tests at once.

describeWithRealService("postgres", "PostgreSQL", (url) => {
  it("accepts a connection and a transaction", async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query("BEGIN");
      const r = await client.query<{ one: number }>("SELECT 1::int AS one");
      await client.query("ROLLBACK");
      expect(r.rows[0]?.one).toBe(1);
    } finally {
      await client.end();
    }
  });
});

describeWithRealService("mqtt", "MQTT broker", (url) => {
  it("delivers a retained message to a later subscriber", async () => {
    const topic = `openlem-test/${process.pid}/${Date.now()}`;
    const pub = await mqtt.connectAsync(url, { connectTimeout: 5_000, reconnectPeriod: 0 });
    await pub.publishAsync(topic, "hello", { retain: true, qos: 1 });
    const sub = await mqtt.connectAsync(url, { connectTimeout: 5_000, reconnectPeriod: 0 });
    try {
      const got = new Promise<string>((resolve) => sub.on("message", (_t, payload) => resolve(payload.toString())));
      await sub.subscribeAsync(topic, { qos: 1 });
      expect(await got).toBe("hello");
    } finally {
      await pub.publishAsync(topic, "", { retain: true, qos: 1 }); // clear the retained message
      await Promise.all([pub.endAsync(), sub.endAsync()]);
    }
  });
});
