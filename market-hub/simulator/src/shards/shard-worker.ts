/**
 * A worker thread that runs one shard of a community's households (`HouseholdShard`) slot by
 * slot, as `ShardPool` asks through shared memory. It builds its own calendar and profiles
 * from the scenario: they are deterministic, so it sees the community the main thread does.
 */
import { type MessagePort, workerData } from "node:worker_threads";
import { buildCalendar } from "../calendar.js";
import { CommunityProfiles } from "../community-profiles.js";
import type { LoadedScenario } from "../scenario.js";
import { HouseholdShard, type ShardColumns, type ShardMode } from "./household-shard.js";
import { COMMAND, DONE, SLOT } from "./protocol.js";

export interface ShardWorkerData {
  loaded: LoadedScenario;
  mode: ShardMode;
  members: number[];
  control: Int32Array;
  price: Float64Array;
  columns: ShardColumns;
  port: MessagePort;
}

const data = workerData as ShardWorkerData;
const { scenario, market } = data.loaded;
const cal = buildCalendar(scenario.period.from, scenario.period.days, scenario.timeZone, market.slotMinutes);
const shard = new HouseholdShard(data.loaded, data.mode, data.members, cal, new CommunityProfiles(data.loaded, cal));
const ctl = data.control;
const slots = cal.startMs.length;
let seen = 0;
// the whole programme runs in this loop, which blocks the thread between slots: a worker has
// nothing else to do
for (;;) {
  Atomics.wait(ctl, COMMAND, seen);
  seen = Atomics.load(ctl, COMMAND);
  const t = ctl[SLOT] as number;
  let done = seen;
  try {
    if (t < 0) data.port.postMessage({ safety: shard.safety.figures });
    else {
      if (t > 0) shard.act(t - 1, data.columns);
      if (t < slots) shard.bid(t, data.price, data.columns);
    }
  } catch (err) {
    data.port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    done = -seen;
  }
  Atomics.store(ctl, DONE, done);
  Atomics.notify(ctl, DONE);
  if (t < 0 || done < 0) break;
}
data.port.close();
