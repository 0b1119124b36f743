import { describeProblems } from "@openlem/protocol";
import { reasonOf } from "../../shared/connection.js";
import { editorValues, optionProblems } from "../../shared/options.js";
import type { NodeDef, Red, RedNode } from "../../shared/red.js";
import { useHub } from "../../shared/uses-hub.js";
import { Options } from "./options.js";
import { PowerSaverSchedule, scheduleOrders } from "./orders.js";

/**
 * Turns a price-scheduling node's plan (node-red-contrib-power-saver's schedule output) into
 * OpenLEM bids for the slots the device will be on, as a message for openlem-order: a flow that
 * already schedules a device by price joins the local market without changing its plan.
 */
export function registerSchedule(RED: Red): void {
  RED.nodes.registerType("openlem-schedule", function (this: RedNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const values = editorValues(def);
    const problems = optionProblems(Options, values);
    const conn = useHub(RED, this, def, problems.length ? describeProblems(problems) : null);
    if (!conn) return;
    const opts = Options.parse(values);
    const idPrefix = `ps-${this.id.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}`;
    this.on("input", (msg, send, done) => {
      void (async () => {
        const plan = PowerSaverSchedule.safeParse(msg.payload);
        if (!plan.success) {
          const text = describeProblems(
            optionProblems(PowerSaverSchedule, msg.payload as Record<string, unknown>),
            "msg.payload",
          );
          this.status({ fill: "red", shape: "ring", text: "not a power-saver schedule: see the debug sidebar" });
          this.error(`${text} (wire the schedule output, the third, of a power-saver strategy node here)`, msg);
          return done();
        }
        const [clock, community] = await Promise.all([conn.clock(), conn.marketCommunity().catch(() => null)]);
        if (!clock || !community) {
          this.status({ fill: "red", shape: "ring", text: "the hub has not answered: no slots to bid for yet" });
          this.error(
            "the hub has not answered yet, so its slots are unknown; the schedule is bid for when it comes again",
            msg,
          );
          return done();
        }
        const orders = scheduleOrders(plan.data, {
          powerW: opts.powerW,
          dailyWh: opts.dailyKwh === undefined ? undefined : opts.dailyKwh * 1000,
          limitPrice: opts.maxBuyPrice ?? community.market.retailPrice,
          slotMinutes: community.market.slotMinutes,
          timeZone: community.market.timeZone,
          fromMs: Date.parse(clock.nextOpenSlot),
          idPrefix,
        });
        const kwh = orders.reduce((s, o) => s + o.energyWh, 0) / 1000;
        this.status({
          fill: "green",
          shape: "dot",
          text: `${orders.length} slot(s), ${Number(kwh.toFixed(3))} kWh to bid for`,
        });
        send({ ...msg, topic: "openlem/schedule", payload: orders });
        done();
      })().catch((err: unknown) => done(new Error(reasonOf(err))));
    });
  });
}
