import { HubError, Outbox } from "@openlem/client";
import { type MeterReading, slotMs } from "@openlem/protocol";
import type { HouseholdHistory } from "../forecast/history.js";
import type { HouseholdAgent, SlotDecision } from "./agent.js";
import type { DevicePort } from "./device-port.js";
import type { HubLink } from "./hub-link.js";
import { describeRegisterProblem, MeterSampler } from "./meter-sampler.js";

/** At most this many readings wait for the hub (about three weeks of 15-minute slots). */
const MAX_PENDING_READINGS = 2_000;

export type MeterEvent =
  | { type: "reading"; reading: MeterReading }
  /** Readings kept for the hub while it is away (0: all sent). */
  | { type: "waiting"; readings: number }
  /** The meter's registers look wrong; what was done about it. */
  | { type: "meter"; problem: string }
  | { type: "error"; error: unknown };

export interface MeterReportOptions {
  devices: DevicePort;
  link: HubLink;
  /** Most power the household's meter can see (W): a faster register rise is implausible. */
  maxPowerW: number;
  emit: (e: MeterEvent) => void;
}

/**
 * The household's meter: its registers read every tick, turned into slot-boundary readings,
 * sent to the hub (kept in the household's memory while the hub is away or refuses), and
 * each finished slot learnt into the household's history.
 */
export class MeterReport {
  private sampler: MeterSampler | undefined;
  private readonly readings: Outbox<MeterReading, unknown>;
  private agent: HouseholdAgent | undefined;

  constructor(private readonly o: MeterReportOptions) {
    const hub = o.link.hub;
    // the readings the hub has not taken yet wait in the household's memory (and its file)
    this.readings = new Outbox<MeterReading, unknown>({
      store: {
        get: () => this.agent?.memory.pendingReadings ?? [],
        set: (v) => {
          if (this.agent) this.agent.memory.pendingReadings = v;
        },
      },
      send: (batch) => (hub ? hub.submitReadings(batch) : Promise.reject(new Error("no hub configured"))),
      field: "readings",
      perRequest: MAX_PENDING_READINGS,
      max: MAX_PENDING_READINGS,
    });
  }

  /**
   * Reads the registers at `now` (hub time) and sends what is due. `decisions` are the last
   * slots' decisions, to take the steered devices out of the metered energy. Returns whether
   * anything in the memory changed (to be saved).
   */
  async report(
    now: number,
    agent: HouseholdAgent,
    history: HouseholdHistory | undefined,
    decisions: ReadonlyMap<number, SlotDecision>,
  ): Promise<boolean> {
    const { devices, link, emit } = this.o;
    if (!devices.meter) return false;
    this.agent = agent;
    let registers: Awaited<ReturnType<NonNullable<DevicePort["meter"]>>>;
    let productionWh: number | null = null;
    try {
      registers = await devices.meter();
    } catch (error) {
      emit({ type: "error", error });
      return false;
    }
    try {
      // the production register only sharpens the forecast: without it the meter is reported all the same
      productionWh = (await devices.production?.()) ?? null;
    } catch (error) {
      emit({ type: "error", error });
    }
    const m = agent.memory;
    if (registers) {
      this.sampler ??= new MeterSampler(
        { slotMs: slotMs(m.minutes), maxPowerW: this.o.maxPowerW, interpolateWithinMs: 60_000 },
        m.meter,
      );
      const out = this.sampler.sample({ ...registers, atMs: now });
      m.meter = this.sampler.memory;
      if (out.kind !== "ok") emit({ type: "meter", problem: describeRegisterProblem(out) });
      for (const r of out.readings) learn(agent, history, decisions, r, productionWh);
      this.readings.add(out.readings);
    }
    if (this.readings.items.length === 0) return false;
    if (link.hub && !link.unreachable) {
      const r = await this.readings.flush();
      for (const reading of r.sent) emit({ type: "reading", reading });
      // an outage or a refused token shows as the control state; a refusal of readings is said
      if (r.stoppedBy) link.failed(r.stoppedBy);
      if (r.stoppedBy && !(r.stoppedBy instanceof HubError)) emit({ type: "error", error: r.stoppedBy });
      for (const x of r.refused) {
        link.failed(x.error);
        emit({ type: "error", error: x.error });
      }
    }
    emit({ type: "waiting", readings: this.readings.items.length });
    return true;
  }
}

/**
 * A boundary reading ends a slot: what the house used and produced in it, less what the
 * steered devices took, goes into its history. A slot whose decision is not known (a
 * restart) or whose start was not read is left out rather than guessed.
 */
function learn(
  agent: HouseholdAgent,
  history: HouseholdHistory | undefined,
  decisions: ReadonlyMap<number, SlotDecision>,
  r: MeterReading,
  productionWh: number | null,
): void {
  const m = agent.memory;
  const atMs = Date.parse(r.at);
  const prev = m.lastBoundary;
  m.lastBoundary = { atMs, importWh: r.importWh, exportWh: r.exportWh, productionWh };
  const d = prev && atMs - prev.atMs === slotMs(m.minutes) ? decisions.get(prev.atMs) : undefined;
  if (!prev || !d || !history) return;
  const netWh = r.importWh - prev.importWh - (r.exportWh - prev.exportWh) - agent.devicesWh(d);
  const pvWh = productionWh !== null && prev.productionWh !== null ? Math.max(0, productionWh - prev.productionWh) : 0;
  history.record(prev.atMs, netWh + pvWh, pvWh);
  m.history = history.memory;
}
