import { describe, expect, it } from "vitest";
import {
  CHANNELS,
  type EdgeBridgeEvent,
  EdgeDevices,
  EdgeRest,
  edgeProblem,
  judgeFollowing,
  renewInterval,
} from "../src/index.js";
import { bridges, configFor, standIn, start } from "./edge-fixture.js";
import { scheduler } from "./edge-stand-in.js";

// What a real Edge does that a bridge must not be fooled by: roles, both generations of error
// status codes, the API worker's one timer, and a battery that does not follow a 200.

describe("credentials and controllers the bridge cannot write with are refused at start, on old and new Edges", () => {
  for (const statusCodes of ["legacy", "jetty12"] as const) {
    it(`${statusCodes === "legacy" ? "Edges before 2025.4 (401/400)" : "Jetty 12 Edges (500 for every error)"}: each refusal named from the body`, async () => {
      const edge = await standIn({ statusCodes });
      await expect(start(edge, "wrong")).rejects.toThrow(/refused the password \(edge.password\)/);
      // the guest's default password reads, but may not write: refused before anything is steered
      await expect(start(edge, "user")).rejects.toThrow(
        /Edge user is a guest and may only read: .*owner role or higher.*edge.password/,
      );
      expect(edge.writes).toEqual([]);
      expect(edge.requests.some((r) => r.role === "GUEST" && r.method === "GET")).toBe(true);
      // the bridge asks for JSON: a Jetty 12 Edge then writes its error page as JSON, not HTML
      if (statusCodes === "jetty12")
        expect(edge.errors.map((e) => [e.accept, e.body.startsWith("{\n")])).toEqual(
          edge.errors.map(() => ["application/json", true]),
        );

      const readOnly = await standIn({ statusCodes, accessMode: "READ_ONLY" });
      await expect(start(readOnly, "owner")).rejects.toThrow(/read-only controller .*add the Read-Write one/);

      const unmanaged = await standIn({ statusCodes, ess: { managed: false } });
      await expect(start(unmanaged, "owner")).rejects.toThrow(
        /does not take ess0\/SetActivePowerEquals: is that component a managed battery/,
      );

      // the owner, the installer and the admin may write; the bridge says so and what it renews
      for (const password of ["owner", "installer", "admin"]) {
        const events: EdgeBridgeEvent[] = [];
        const bridge = await start(edge, password, {}, events);
        expect(events.find((e) => e.type === "edge")).toMatchObject({
          role: "owner or higher (may write)",
          controllerId: "ctrlApiRest0",
          apiTimeoutSeconds: 60,
          timeoutFrom: "edge",
          renewMs: 20_000,
          steer: true,
          hybrid: null,
        });
        await bridge.stop();
        bridges.splice(bridges.indexOf(bridge), 1);
      }
    });
  }

  it("Jetty 12 error pages, whichever form the Edge writes (JSON, HTML, text), are told apart", async () => {
    const edge = await standIn({ statusCodes: "jetty12" });
    const ro = await standIn({ statusCodes: "jetty12", accessMode: "READ_ONLY" });
    const ask = async (base: string, password: string, path: string, accept: string | undefined, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`x:${password}`).toString("base64")}`,
          ...(accept ? { accept } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
    };
    const cases = [
      [edge.url, "wrong", "/rest/channel/ess0/Soc", undefined, "password"],
      [edge.url, "user", `/rest/channel/${CHANNELS.setpoint("ess0")}`, { value: 1 }, "role"],
      [ro.url, "owner", `/rest/channel/${CHANNELS.setpoint("ess0")}`, { value: 1 }, "read-only"],
      [edge.url, "owner", "/rest/channel/ess0/SetActivePowerLessOrEquals", { value: 1 }, "not-writable"],
    ] as const;
    for (const [base, password, path, body, problem] of cases)
      for (const accept of ["application/json", "*/*", undefined, "text/plain"]) {
        const a = await ask(base, password, path, accept, body);
        expect(a.status).toBe(500);
        expect(a.type).toMatch(
          accept === "application/json"
            ? /^application\/json/
            : accept === "text/plain"
              ? /^text\/plain/
              : /^text\/html/,
        );
        expect([accept, edgeProblem(a.status, a.text, path).problem]).toEqual([accept, problem]);
      }
    const json = JSON.parse(
      (await ask(edge.url, "user", `/rest/channel/${CHANNELS.setpoint("ess0")}`, "application/json", { value: 1 }))
        .text,
    );
    expect(json).toEqual({
      message:
        "io.openems.common.exceptions.OpenemsError$OpenemsNamedException: Access to this resource [HTTP POST] is denied for User with Role [GUEST]",
      url: expect.stringMatching(/\/rest\/channel\/ess0\/SetActivePowerEquals$/),
      status: "500",
    });
    // an unknown channel read is a 404 with no body, on every Edge
    expect(await ask(edge.url, "owner", "/rest/channel/ess0/Nope", "application/json")).toMatchObject({
      status: 404,
      text: "",
    });
  });

  it("tells the errors apart from the body, not the status", () => {
    const rpc = (code: number, message: string) =>
      JSON.stringify({ jsonrpc: "2.0", id: "0", error: { code, message, data: [] } });
    expect(edgeProblem(500, rpc(1003, "Authentication failed"), "x").problem).toBe("password");
    expect(edgeProblem(401, "", "x").problem).toBe("password");
    const guest = edgeProblem(
      500,
      rpc(1002, "Access to this resource [HTTP POST] is denied for User with Role [GUEST]"),
      "x",
    );
    expect([guest.problem, guest.role]).toEqual(["role", "GUEST"]);
    // an older Edge that lets only the admin write refuses the owner: the message asks for the admin
    const owner = edgeProblem(
      400,
      rpc(1002, "Access to this resource [HTTP POST] is denied for User with Role [OWNER]"),
      "x",
    );
    expect(owner.message).toMatch(/refuses writes to its owner .*admin's password/);
    expect(edgeProblem(400, rpc(1, "REST-Api is in Read-Only mode"), "x").problem).toBe("read-only");
    expect(
      edgeProblem(
        500,
        "<html><h2>HTTP ERROR 500 Channel [ess0/SetActivePowerEquals] is not defined</h2></html>",
        "ess0/SetActivePowerEquals",
      ).problem,
    ).toBe("not-writable");
    // an error the bridge does not know keeps the Edge's own words
    const other = edgeProblem(500, rpc(2000, "Unable to apply"), "x");
    expect([other.problem, other.message]).toEqual(["other", "the Edge answered 500 for x: Unable to apply"]);
  });
});

describe("the API timeout the installer set", () => {
  it("0 (never expires) is refused; a timeout shorter than the renewals shortens them to a third of it", async () => {
    expect(() => renewInterval(20, 0, "ctrlApiRest0")).toThrow(/Api-Timeout 0, so a set-point never expires/);
    expect(renewInterval(20, 60, "c")).toBe(20_000);
    expect(renewInterval(20, 9, "c")).toBe(3_000);
    expect(renewInterval(20, 1, "c")).toBe(500);

    const never = await standIn({ apiTimeoutSeconds: 0 });
    await expect(start(never, "owner")).rejects.toThrow(/Set Api-Timeout to 60 s/);

    const events: EdgeBridgeEvent[] = [];
    const short = await standIn({ apiTimeoutSeconds: 3 });
    await start(short, "owner", {}, events);
    expect(events.find((e) => e.type === "edge")).toMatchObject({ apiTimeoutSeconds: 3, renewMs: 1_000 });
    // renewed inside the 3 s: the set-point never lapses between two posts
    await expect.poll(() => events.filter((e) => e.type === "renewed").length).toBeGreaterThanOrEqual(3);
    const posts = short.writes.filter((w) => w.channel === CHANNELS.setpoint("ess0") && w.value !== null);
    for (let i = 1; i < posts.length; i++) expect((posts[i]?.at ?? 0) - (posts[i - 1]?.at ?? 0)).toBeLessThan(3_000);
  });

  it("the stand-in keeps OpenEMS's one timer per controller: any client's write resets it, null releases", async () => {
    let t = 0;
    const edge = await standIn({ apiTimeoutSeconds: 60, now: () => t });
    const rest = new EdgeRest(edge.url, "x", "owner");
    const other = new EdgeRest(edge.url, "x", "admin");
    await rest.write(CHANNELS.setpoint("ess0"), 2000);
    t = 50_000;
    // another client writes another channel of the same controller: the one timer starts again
    edge.channels.set("ctrlFixActivePower0/Power", { type: "INTEGER", accessMode: "RW", unit: "W", value: 0 });
    await other.write("ctrlFixActivePower0/Power", 100);
    t = 100_000;
    expect(edge.apiSetpointW()).toBe(2000);
    expect(await rest.readText(CHANNELS.workerLog("ctrlApiRest0"))).toBe(
      "ess0/SetActivePowerEquals:2000|ctrlFixActivePower0/Power:100",
    );
    t = 110_000;
    expect(edge.apiSetpointW()).toBeNull();
    await rest.write(CHANNELS.setpoint("ess0"), -1000);
    expect(await rest.read(CHANNELS.power("ess0"))).toBe(-1000);
    await rest.write(CHANNELS.setpoint("ess0"), null);
    expect(edge.apiSetpointW()).toBeNull();
    // the set-point is write-only: the Edge answers without a value
    await expect(rest.read(CHANNELS.setpoint("ess0"))).rejects.toThrow(/write-only/);
  });
});

describe("a 200 does not mean the battery follows", () => {
  it("reads back the battery's power and the API worker's log, and says when an earlier controller overrides the set-point", async () => {
    const edge = await standIn();
    const c = configFor(edge, "owner");
    const rest = new EdgeRest(edge.url, "x", "owner");
    const devices = new EdgeDevices(rest, c, 10_000);
    const decision = { startMs: 0, batteryW: 3000, boilerOn: false, evW: 0, netWh: 0, mode: "plan" as const, why: [] };
    await devices.apply(decision);
    expect(await devices.checkFollowing(0)).toEqual({ ok: true });
    // the battery's own limits clamp it, as they should: still following
    await devices.apply({ ...decision, batteryW: 9000 });
    expect(await rest.read(CHANNELS.power("ess0"))).toBe(5000);
    expect(await devices.checkFollowing(0)).toEqual({ ok: true });
    // an emergency-reserve controller scheduled first forbids discharging (the state of charge,
    // 55 %, is under its reserve): the write still answers 200
    edge.controllers.push({
      id: "ctrlEmergencyCapacityReserve0",
      factoryId: "Controller.Ess.EmergencyCapacityReserve",
      properties: { "ess.id": "ess0", reserveSoc: 60 },
    });
    edge.schedulers = [scheduler(["ctrlEmergencyCapacityReserve0"])];
    await devices.apply(decision);
    expect(await devices.checkFollowing(0)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/runs at 0 W instead of 3000 W: a controller scheduled before the REST API/),
    });
    // a driver that ignores set-points likewise
    edge.controllers.splice(0);
    edge.o.ess.follows = false;
    edge.ownPowerW = -400;
    expect(await devices.checkFollowing(0)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/-400 W instead of 3000 W/),
    });
    // a failed write shows in the API worker's log
    // 3 kW asked, nothing delivered, with what the API worker's log says
    const judged = (workerLog: string) =>
      judgeFollowing({
        setpointW: 3000,
        actualW: 0,
        maxChargeW: 5000,
        maxDischargeW: 5000,
        workerLog,
        channel: "ess0/SetActivePowerEquals",
      });
    expect(judged("ess0/SetActivePowerEquals:3000-ERROR:Value is out of range")).toEqual({
      ok: false,
      why: "the Edge could not write ess0/SetActivePowerEquals: Value is out of range",
    });
    expect(judged("")).toMatchObject({
      ok: false,
      why: expect.stringMatching(/holds no set-point .*API timeout passed/),
    });
  });

  it("the running bridge reports a battery that stops following, and when it follows again", async () => {
    const edge = await standIn();
    const events: EdgeBridgeEvent[] = [];
    await start(edge, "owner", { renewSeconds: 1 }, events);
    await expect.poll(() => events.find((e) => e.type === "following")).toMatchObject({ ok: true });
    // the installer adds a fixed-power controller and lists it first: it charges at 2.5 kW whatever
    // the REST API says
    edge.controllers.push({
      id: "ctrlFixActivePower0",
      factoryId: "Controller.Ess.FixActivePower",
      properties: { power: -2500 },
    });
    edge.schedulers = [scheduler(["ctrlFixActivePower0"])];
    await expect
      .poll(() => events.findLast((e) => e.type === "following"))
      .toMatchObject({ ok: false, why: expect.stringMatching(/-2500 W instead of/) });
    edge.controllers.splice(0);
    await expect.poll(() => events.findLast((e) => e.type === "following")).toMatchObject({ ok: true });
    // another client (Home Assistant, say) writes through the same controller: its one timer
    // would never run out, so the bridge says so
    edge.channels.set("ctrlFixActivePower0/Power", { type: "INTEGER", accessMode: "RW", unit: "W", value: 0 });
    await new EdgeRest(edge.url, "x", "admin").write("ctrlFixActivePower0/Power", 100);
    await expect
      .poll(() => events.find((e) => e.type === "shared controller"))
      .toMatchObject({
        channels: ["ctrlFixActivePower0/Power"],
        why: expect.stringMatching(/REST controller of its own/),
      });
    // the Edge's connection limit (5, shared with the Edge's other clients) is never approached
    expect(edge.maxOpen).toBeLessThanOrEqual(2);
  });
});

describe("renewals only while the safety supervisor sees the battery", () => {
  it("without a state of charge the set-point is withdrawn to the Edge's own control, and taken up again when it comes back", async () => {
    const edge = await standIn();
    const events: EdgeBridgeEvent[] = [];
    await start(edge, "owner", { renewSeconds: 1 }, events);
    await expect.poll(() => events.filter((e) => e.type === "renewed").length).toBeGreaterThanOrEqual(1);
    expect(edge.apiSetpointW()).not.toBeNull();
    // the Edge stops giving the battery's state of charge: nothing can hold its window any more
    edge.set(CHANNELS.soc("ess0"), null);
    await expect
      .poll(() => events.find((e) => e.type === "held back"))
      .toMatchObject({ why: expect.stringMatching(/no state of charge from the Edge's ess0\/Soc/) });
    expect(edge.writes.at(-1)?.value).toBeNull();
    expect(edge.apiSetpointW()).toBeNull();
    const count = events.filter((e) => e.type === "renewed").length;
    edge.set(CHANNELS.soc("ess0"), 55);
    await expect.poll(() => events.filter((e) => e.type === "renewed").length).toBeGreaterThan(count);
    expect(edge.apiSetpointW()).not.toBeNull();
  });

  it("reads the configured battery's own state of charge, not the site's average", async () => {
    const edge = await standIn();
    edge.set("_sum/EssSoc", 90);
    edge.set(CHANNELS.soc("ess0"), 30);
    const devices = new EdgeDevices(new EdgeRest(edge.url, "x", "owner"), configFor(edge, "owner"), 10_000);
    expect(await devices.read()).toEqual({ socWh: 3000 });
  });
});
