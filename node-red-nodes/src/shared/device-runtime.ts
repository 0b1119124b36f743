import {
  type DevicePort,
  type FillReport,
  fillShortfall,
  type HouseholdSpec,
  type SlotDecision,
} from "@openlem/agents";
import { describeProblems, fieldProblems, isoOf, localHourOf, slotMs } from "@openlem/protocol";
import { z } from "zod";
import { reasonOf } from "./connection.js";
import type { DeviceKind } from "./device-kind.js";
import { editorValues } from "./options.js";
import type { NodeMessage, NodeStatus } from "./red.js";

const Override = z.enum(["on", "off", "auto"]);

/** The agent's memory as far as the schedule shows it. */
interface PlanMemory {
  minutes: number;
  planFromMs: number | null;
  plannedAtMs: number | null;
  buyPrice: (number | null)[];
  batteryW: number[];
  boilerOn: boolean[];
  evW: number[];
}

/**
 * What one device node knows and decides, apart from Node-RED's wiring: its options, the
 * device's reported state, the user's override and the decision in force; the device as the
 * agents see it (`port`), the node's status, its schedule message, and what a message changes.
 */
export class DeviceRuntime<O, S> {
  state: S | undefined;
  override: "on" | "off" | "auto" = "auto";
  lastDecision: SlotDecision | null = null;
  timeZone = "UTC";
  /** Readings waiting for the hub. */
  waiting = 0;

  constructor(
    readonly kind: DeviceKind<O, S>,
    /** The options as the editor (or msg.options) gave them, and as parsed. */
    public raw: Record<string, unknown>,
    public opts: O,
    /** Parses options; a string names what is wrong. */
    private readonly configure: (values: Record<string, unknown>) => { opts: O; spec: HouseholdSpec } | string,
  ) {}

  /**
   * The device as the household loop sees it: its state, its hot-water draws, and a command
   * on output 1 for each decision (with the user's override and the slot's own bookkeeping).
   */
  port(o: {
    minutes: () => number;
    send: (command: NodeMessage) => void;
    applied: () => void;
    handBack: () => void;
  }): DevicePort {
    const { kind } = this;
    return {
      read: async () => kind.deviceState(this.state, this.opts) ?? {},
      // the household's own load and PV the loop forecasts from its metered history
      forecast: async (fromMs, slots, minutes) => ({
        drawWh: Array.from({ length: slots }, (_, k) =>
          kind.drawWh
            ? kind.drawWh(this.opts, localHourOf(isoOf(fromMs + k * slotMs(minutes)), this.timeZone), minutes)
            : 0,
        ),
      }),
      apply: async (decision) => {
        const minutes = o.minutes();
        // the slot's own bookkeeping once per slot; a safety correction mid-slot is not a new slot
        const last = this.lastDecision;
        if (this.state !== undefined && last && kind.afterSlot && last.startMs !== decision.startMs)
          this.state = kind.afterSlot(this.state, last, minutes);
        let d = decision;
        const ds = kind.deviceState(this.state, this.opts);
        if (this.override !== "auto" && kind.overridden && ds)
          d = kind.overridden(decision, this.override, this.opts, ds, minutes);
        this.lastDecision = d;
        o.send({ ...kind.command(d, this.opts), decision: d });
        o.applied();
      },
      release: async () => o.handBack(),
    };
  }

  /** The node's status: the decision in force (or what it waits for), local control and why, readings waiting. */
  /** What the market gave for the last slot bid for, as the loop read it from the fills. */
  filled: FillReport | null = null;

  status(localWhy: string | null): NodeStatus {
    const d = this.lastDecision;
    const market = fillShortfall(this.filled, d?.startMs).join(", ");
    const text = d ? [this.kind.describe(d, this.state), market].filter(Boolean).join("; ") : this.kind.waiting;
    const local = localWhy ? `local control: ${localWhy}` : null;
    return {
      fill: local ? "red" : d?.mode === "plan" ? "green" : "yellow",
      shape: "dot",
      text: [local ?? text, this.waiting ? `${this.waiting} readings waiting` : null]
        .filter(Boolean)
        .join("; ")
        .slice(0, 120),
    };
  }

  /** The status while the device has not reported enough to steer it. */
  waitingStatus(localWhy: string | null): NodeStatus {
    return localWhy
      ? { fill: "red", shape: "ring", text: `local control: ${localWhy}; ${this.kind.waiting}`.slice(0, 120) }
      : { fill: "grey", shape: "ring", text: this.kind.waiting };
  }

  /** Output 2 after every plan: the planned slots, each with its price and the device's part. */
  schedule(m: PlanMemory | undefined): NodeMessage {
    const slots: Record<string, unknown>[] = [];
    if (m && m.planFromMs !== null) {
      const len = slotMs(m.minutes);
      for (let i = 0; i < m.buyPrice.length; i++)
        slots.push({ start: isoOf(m.planFromMs + i * len), price: m.buyPrice[i], ...this.kind.scheduleEntry(m, i) });
    }
    return {
      topic: `${this.kind.type}/schedule`,
      payload: { plannedAt: m?.plannedAtMs ? isoOf(m.plannedAtMs) : null, slots },
    };
  }

  /** The device reported enough to be steered. */
  get steerable(): boolean {
    return this.kind.deviceState(this.state, this.opts) !== null;
  }

  /**
   * What a message changes: the override (msg.payload.override), options (msg.options, all
   * checked before any is taken), the device's state (msg.payload). Nothing changes when any
   * part is wrong: the error names the field and the rule. A new spec is handed back for the loop.
   */
  async take(
    msg: NodeMessage,
    nowMs: () => Promise<number>,
  ): Promise<{ error: string } | { spec: HouseholdSpec | null }> {
    const p = msg.payload;
    let override = this.override;
    if (p !== null && typeof p === "object" && "override" in p) {
      const o = Override.safeParse((p as { override: unknown }).override);
      if (!o.success) return { error: "payload.override: must be on, off or auto" };
      override = o.data;
    }
    let spec: HouseholdSpec | null = null;
    let raw = this.raw;
    let opts = this.opts;
    if (msg.options !== undefined) {
      if (typeof msg.options !== "object" || msg.options === null)
        return { error: "msg.options: must be an object of options, e.g. { maxBuyPrice: 0.18 }" };
      const next = { ...raw, ...editorValues(msg.options as Record<string, unknown>) };
      const changed = this.configure(next);
      // nothing changes: the options in force stay
      if (typeof changed === "string") return { error: `msg.options: ${changed}` };
      raw = next;
      opts = changed.opts;
      spec = changed.spec;
    }
    let state = this.state;
    const isOnlyControl = p !== null && typeof p === "object" && Object.keys(p).every((k) => k === "override");
    if (p !== undefined && !isOnlyControl) {
      try {
        state = this.kind.input(p, state, opts, await nowMs(), this.timeZone);
      } catch (err) {
        return {
          error:
            err instanceof z.ZodError
              ? describeProblems(fieldProblems(err), "msg.payload")
              : `msg.payload: ${reasonOf(err)}`,
        };
      }
    }
    Object.assign(this, { override, raw, opts, state });
    return { spec };
  }
}
