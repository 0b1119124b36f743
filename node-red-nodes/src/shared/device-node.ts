import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BoilerOverride,
  type DevicePort,
  type DeviceState,
  HouseholdLoop,
  type HouseholdSpec,
  type LoopEvent,
  type SlotDecision,
} from "@openlem/agents";
import { describeProblems, fieldProblems, isoOf, localHourOf, slotMs } from "@openlem/protocol";
import { z } from "zod";
import { type HubConnection, reasonOf } from "./connection.js";
import { type DeviceSettings, deviceSettings, editorValues, usableOptions } from "./options.js";
import type { NodeDef, NodeMessage, Red, RedNode } from "./red.js";
import { hubOrWhy } from "./uses-hub.js";

/**
 * What differs between the boiler, battery and EV nodes. Its settings (options and the
 * household spec they make, in the node's options.ts) are what the edit dialog checks too.
 */
export interface DeviceKind<O, S> extends DeviceSettings<O> {
  type: string;
  /** Parses msg.payload into the device's state (or a change of it). */
  input(payload: unknown, current: S | undefined, o: O, nowMs: number, timeZone: string): S;
  /** What the agent sees of the state at `nowMs`; null until the device reported enough. */
  deviceState(s: S | undefined, o: O): DeviceState | null;
  /** What the device must do when the user overrides it (on / off), for the power devices. */
  overridden?(d: SlotDecision, override: "on" | "off", o: O, s: DeviceState, minutes: number): SlotDecision;
  /** The device's share of the slot's energy once the slot ran (for its own bookkeeping). */
  afterSlot?(s: S, d: SlotDecision, minutes: number): S;
  drawWh?(o: O, localHour: number, minutes: number): number;
  command(d: SlotDecision, o: O): NodeMessage;
  /**
   * What the device gets when the node stops (redeploy, Node-RED stopping, node removed): its
   * own control back. The boiler's element on (its thermostat rules), the battery idle, the
   * EV charging as it would without OpenLEM.
   */
  handBack(o: O): Partial<Pick<SlotDecision, "boilerOn" | "batteryW" | "evW">>;
  /** The schedule's entry for one planned slot. */
  scheduleEntry(memory: { batteryW: number[]; boilerOn: boolean[]; evW: number[] }, i: number): Record<string, unknown>;
  waiting: string;
  describe(d: SlotDecision, s: S | undefined): string;
}

const Override = z.enum(["on", "off", "auto"]);

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
    let raw = editorValues(def);
    const configure = (values: Record<string, unknown>): { opts: O; spec: HouseholdSpec } | string => {
      const s = deviceSettings(kind, values);
      return s.ok ? s : describeProblems(s.problems);
    };
    const first = configure(raw);
    if (typeof first === "string") {
      refuse(RED, this, kind, raw, first);
      return;
    }
    let { opts } = first;
    const dir = join(RED.settings.userDir ?? tmpdir(), "openlem");
    mkdirSync(dir, { recursive: true });
    const statePath = join(dir, `${this.id}.json`);
    const tickMs = Math.max(50, Number(raw.tickS ?? 5) * 1000);
    let state: S | undefined;
    let timeZone = "UTC";
    let override: "on" | "off" | "auto" = "auto";
    let lastDecision: SlotDecision | null = null;

    const port: DevicePort = {
      read: async () => kind.deviceState(state, opts) ?? {},
      // the household's own load and PV the loop forecasts from its metered history
      forecast: async (fromMs, slots, minutes) => ({
        drawWh: Array.from({ length: slots }, (_, k) =>
          kind.drawWh ? kind.drawWh(opts, localHourOf(isoOf(fromMs + k * slotMs(minutes)), timeZone), minutes) : 0,
        ),
      }),
      apply: async (decision) => {
        const minutes = (loop.memory?.minutes ?? 15) as number;
        // the slot's own bookkeeping once per slot; a safety correction mid-slot is not a new slot
        if (state !== undefined && lastDecision && kind.afterSlot && lastDecision.startMs !== decision.startMs)
          state = kind.afterSlot(state, lastDecision, minutes);
        let d = decision;
        const ds = kind.deviceState(state, opts);
        if (override !== "auto" && kind.overridden && ds) d = kind.overridden(decision, override, opts, ds, minutes);
        lastDecision = d;
        this.send([{ ...kind.command(d, opts), decision: d }, null]);
        showStatus();
      },
      release: async () => {
        this.send([handBackMessage(kind, opts, "handed back: OpenLEM stopped controlling this device"), null]);
      },
    };

    let waiting = 0;
    const showStatus = () => {
      const d = lastDecision;
      const why = loop.control.why;
      const text = d ? kind.describe(d, state) : kind.waiting;
      const local = why ? `local control: ${why}` : null;
      this.status({
        fill: local ? "red" : d?.mode === "plan" ? "green" : "yellow",
        shape: "dot",
        text: [local ?? text, waiting ? `${waiting} readings waiting` : null].filter(Boolean).join("; ").slice(0, 120),
      });
    };

    const onEvent = (e: LoopEvent) => {
      if (e.type === "planned") this.send([null, schedule()]);
      if (e.type === "hub") showStatus();
      if (e.type === "waiting") {
        waiting = e.readings;
        showStatus();
      }
      if (e.type === "meter") this.warn(`meter: ${e.problem}`);
      if (e.type === "error") this.warn(reasonOf(e.error));
    };
    const loop = new HouseholdLoop({
      spec: first.spec,
      hub: conn?.rest ?? null,
      noHubReason: hub.why,
      devices: port,
      statePath,
      orderPrefix: `${kind.type.replace("openlem-", "")}-${this.id.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}`,
      onEvent,
    });
    if (!conn) showStatus();

    const schedule = (): NodeMessage => {
      const m = loop.memory;
      const slots: Record<string, unknown>[] = [];
      if (m && m.planFromMs !== null) {
        const len = slotMs(m.minutes);
        for (let i = 0; i < m.buyPrice.length; i++)
          slots.push({ start: isoOf(m.planFromMs + i * len), price: m.buyPrice[i], ...kind.scheduleEntry(m, i) });
      }
      return {
        topic: `${kind.type}/schedule`,
        payload: { plannedAt: m?.plannedAtMs ? isoOf(m.plannedAtMs) : null, slots },
      };
    };

    let running: Promise<void> | null = null;
    const tick = () => {
      if (running) return;
      if (kind.deviceState(state, opts) === null) {
        // no state yet: nothing to steer, but a missing or refused hub is said already
        const why = loop.control.why;
        this.status(
          why
            ? { fill: "red", shape: "ring", text: `local control: ${why}; ${kind.waiting}`.slice(0, 120) }
            : { fill: "grey", shape: "ring", text: kind.waiting },
        );
        return;
      }
      running = (async () => {
        timeZone = (await conn?.marketCommunity().catch(() => null))?.market.timeZone ?? timeZone;
        const agent = loop.householdAgent;
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
        const p = msg.payload;
        if (p !== null && typeof p === "object" && "override" in p) {
          const o = Override.safeParse((p as { override: unknown }).override);
          if (!o.success) {
            this.error(`payload.override: must be on, off or auto`, msg);
            return done();
          }
          override = o.data;
        }
        if (msg.options !== undefined) {
          if (typeof msg.options !== "object" || msg.options === null) {
            this.error("msg.options: must be an object of options, e.g. { maxBuyPrice: 0.18 }", msg);
            return done();
          }
          const next = { ...raw, ...editorValues(msg.options as Record<string, unknown>) };
          const changed = configure(next);
          if (typeof changed === "string") {
            // nothing changes: the options in force stay
            this.error(`msg.options: ${changed}`, msg);
            return done();
          }
          raw = next;
          opts = changed.opts;
          // the same loop: its plan, meter and the decision in force carry on, re-planned
          loop.setSpec(changed.spec);
        }
        const isOnlyControl = p !== null && typeof p === "object" && Object.keys(p).every((k) => k === "override");
        if (p !== undefined && !isOnlyControl) {
          try {
            const clock = await conn?.rest.clock().catch(() => null);
            const nowMs = clock ? Date.parse(clock.now) : Date.now();
            state = kind.input(p, state, opts, nowMs, timeZone);
          } catch (err) {
            const text =
              err instanceof z.ZodError
                ? describeProblems(fieldProblems(err), "msg.payload")
                : `msg.payload: ${reasonOf(err)}`;
            this.error(text, msg);
            return done();
          }
        }
        // a new state is held against the hard limits at once, whatever the hub is doing
        if (kind.deviceState(state, opts) !== null) await loop.supervise();
        tick();
        done();
      })().catch((err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
    });
    this.on("close", (removed, done) => {
      clearInterval(timer);
      void Promise.resolve(running)
        .then(() => loop.stop({ handBack: lastDecision !== null }))
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
