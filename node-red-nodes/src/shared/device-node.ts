import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BoilerOverride,
  HouseholdLoop,
  type HouseholdSpec,
  type LoopEvent,
  type SlotDecision,
} from "@openlem/agents";
import { describeProblems } from "@openlem/protocol";
import { type HubConnection, reasonOf } from "./connection.js";
import type { DeviceKind } from "./device-kind.js";
import { DeviceRuntime } from "./device-runtime.js";
import { deviceSettings, editorValues, usableOptions } from "./options.js";
import type { NodeDef, NodeMessage, Red, RedNode } from "./red.js";
import { hubOrWhy } from "./uses-hub.js";

export type { DeviceKind };

/**
 * The common life of a device node: it runs a household agent loop for its one device,
 * bidding the device's own energy through the hub config node with its own order names,
 * steering the device at every slot start (the plan once the hub took its orders, else the
 * local default), with the safety layer last. Every state the device reports is held
 * against its hard limits at once. Without a usable hub (none chosen, unreachable, token
 * refused) the device runs under local control and the status says why. msg.payload carries
 * the device's state, msg.payload.override = on / off / auto, and msg.options changes any
 * option at run time. Output 1: the command; output 2: the schedule after every plan. On
 * close the device is handed back (output 1, `msg.handBack: true`).
 */
export function registerDevice<O, S>(RED: Red, kind: DeviceKind<O, S>): void {
  RED.nodes.registerType(kind.type, function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    // without a hub the device still runs, under local control: the status says why
    const hub = hubOrWhy(RED, def);
    const conn = hub.connection;
    const raw = editorValues(def);
    const configure = (values: Record<string, unknown>): { opts: O; spec: HouseholdSpec } | string => {
      const s = deviceSettings(kind, values);
      return s.ok ? s : describeProblems(s.problems);
    };
    const first = configure(raw);
    if (typeof first === "string") {
      refuse(RED, this, kind, raw, first);
      return;
    }
    const device = new DeviceRuntime(kind, raw, first.opts, configure);
    const dir = join(RED.settings.userDir ?? tmpdir(), "openlem");
    mkdirSync(dir, { recursive: true });
    const statePath = join(dir, `${this.id}.json`);
    const tickMs = Math.max(50, Number(raw.tickS ?? 5) * 1000);

    const showStatus = () => this.status(device.status(loop.control.why));
    const onEvent = (e: LoopEvent) => {
      if (e.type === "planned") this.send([null, device.schedule(loop.memory)]);
      if (e.type === "hub") showStatus();
      if (e.type === "filled") {
        device.filled = { ...e.fills, ...e.bid };
        showStatus();
      }
      if (e.type === "waiting") {
        device.waiting = e.readings;
        showStatus();
      }
      if (e.type === "meter") this.warn(`meter: ${e.problem}`);
      if (e.type === "error") this.warn(reasonOf(e.error));
    };
    const loop: HouseholdLoop = new HouseholdLoop({
      spec: first.spec,
      hub: conn?.rest ?? null,
      noHubReason: hub.why,
      devices: device.port({
        minutes: () => loop.memory?.minutes ?? 15,
        send: (command) => this.send([command, null]),
        applied: () => showStatus(),
        handBack: () =>
          this.send([handBackMessage(kind, device.opts, "handed back: OpenLEM stopped controlling this device"), null]),
      }),
      statePath,
      orderPrefix: `${kind.type.replace("openlem-", "")}-${this.id.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}`,
      onEvent,
    });
    if (!conn) showStatus();

    let running: Promise<void> | null = null;
    const tick = () => {
      if (running) return;
      // no state yet: nothing to steer, but a missing or refused hub is said already
      if (!device.steerable) return this.status(device.waitingStatus(loop.control.why));
      running = (async () => {
        device.timeZone = (await conn?.marketCommunity().catch(() => null))?.market.timeZone ?? device.timeZone;
        const agent = loop.householdAgent;
        const { override } = device;
        if (agent && override !== "auto" && !kind.overridden) agent.setOverride(override as BoilerOverride);
        if (agent && override === "auto" && agent.memory.override !== "auto") agent.setOverride("auto");
        await loop.tick();
      })()
        .catch((err: unknown) => {
          // the loop itself never throws; this is the node's own bookkeeping
          this.warn(reasonOf(err));
        })
        .finally(() => {
          running = null;
        });
    };
    const timer = setInterval(tick, tickMs);

    this.on("input", (msg, _send, done) => {
      void (async () => {
        const taken = await device.take(msg, async () => {
          const clock = await conn?.rest.clock().catch(() => null);
          return clock ? Date.parse(clock.now) : Date.now();
        });
        if ("error" in taken) {
          this.error(taken.error, msg);
          return done();
        }
        // the same loop: its plan, meter and the decision in force carry on, re-planned
        if (taken.spec) loop.setSpec(taken.spec);
        // a new state is held against the hard limits at once, whatever the hub is doing
        if (device.steerable) await loop.supervise();
        tick();
        done();
      })().catch((err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
    });
    this.on("close", (removed, done) => {
      clearInterval(timer);
      void Promise.resolve(running)
        .then(() => loop.stop({ handBack: device.lastDecision !== null }))
        .catch((err: unknown) => this.warn(`handing back: ${reasonOf(err)}`))
        .finally(() => {
          if (removed) rmSync(statePath, { force: true });
          done();
        });
    });
  });
}

/**
 * What the status says a decision did for one device: the device's own reason (a safety
 * correction, an override), which matters more than whether the slot had a market plan.
 */
export function reasonFor(d: SlotDecision, device: "boiler" | "battery" | "EV"): string | undefined {
  return d.why.find((w) => w.startsWith(`${device}:`)) ?? d.why.find((w) => w.startsWith("no market"));
}

/** The command that gives the device its own control back (see DeviceKind.handBack). */
function handBackMessage<O, S>(kind: DeviceKind<O, S>, opts: O, why: string): NodeMessage {
  const back: SlotDecision = {
    startMs: Date.now(),
    boilerOn: false,
    batteryW: 0,
    evW: 0,
    ...kind.handBack(opts),
    netWh: 0,
    mode: "fallback",
    why: [why],
  };
  return { ...kind.command(back, opts), decision: back, handBack: true };
}

/**
 * A device node whose settings break a rule cannot be trusted to steer its device, so it runs
 * no agent: it hands the device back as soon as the flow is up (and again with every message,
 * in case the device was not listening yet), with a red status and an error naming each field
 * and rule.
 */
function refuse<O, S>(
  RED: Red,
  node: RedNode,
  kind: DeviceKind<O, S>,
  raw: Record<string, unknown>,
  problem: string,
): void {
  const why = `settings refused: ${problem}`;
  const opts = usableOptions(kind.options, raw);
  const handBack = () => {
    if (opts !== null) node.send([handBackMessage(kind, opts, why), null]);
  };
  node.status({ fill: "red", shape: "ring", text: `handed back; ${why}`.slice(0, 120) });
  node.error(
    `${kind.type}: ${why}. The device is under its own control until the node's settings are fixed and deployed.`,
  );
  // a message sent while the flow is still being built reaches only the nodes already made
  if (RED.events) RED.events.once("flows:started", handBack);
  else setImmediate(handBack);
  node.on("input", (_msg, _send, done) => {
    handBack();
    done(new Error(`${why}; the device stays under its own control: fix the node's settings and deploy`));
  });
  node.on("close", (_removed, done) => {
    RED.events?.off("flows:started", handBack);
    done();
  });
}

export type { HubConnection };
