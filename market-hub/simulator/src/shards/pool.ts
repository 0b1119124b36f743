import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { SafetyFigures } from "../house-physics.js";
import type { LoadedScenario } from "../scenario.js";
import { type ShardColumns, type ShardMode, shardColumns } from "./household-shard.js";
import { COMMAND, CONTROL_WORDS, DONE, SLOT } from "./protocol.js";
import type { ShardWorkerData } from "./shard-worker.js";

/**
 * The worker's first code: it loads the shard worker (from source through tsx, which does not
 * follow a thread by itself), and where that fails (a missing build, no tsx for the sources)
 * reports so through the control words: the main thread waits on those, not on the worker's
 * events.
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(workerData.source ? import("tsx/esm/api").then((tsx) => tsx.register()) : Promise.resolve())
  .then(() => import(workerData.entry))
  .catch((err) => {
    workerData.port.postMessage({ error: String((err && err.stack) || err) });
    Atomics.store(workerData.control, ${DONE}, -1);
    Atomics.notify(workerData.control, ${DONE});
  });
`;

/** How long a slot may take before the run gives up on its worker (a slot takes well under a millisecond). */
const SLOT_TIMEOUT_MS = 10 * 60_000;

interface ShardThread {
  worker: Worker;
  port: MessagePort;
  control: Int32Array;
  columns: ShardColumns;
  command: number;
}

/**
 * Worker threads that run shards of a community's households (`HouseholdShard`), driven
 * synchronously slot by slot: `step` hands each a slot through shared memory, `wait` blocks
 * until all are done, and the columns they wrote (meters, bids) are then read, and the fills
 * written, in place. The simulation stays one synchronous call; the main thread runs a shard
 * of its own while the workers run theirs.
 */
export class ShardPool {
  private readonly threads: ShardThread[];

  constructor(loaded: LoadedScenario, mode: ShardMode, shards: readonly number[][], price: Float64Array) {
    const here = import.meta.url;
    // run from source (tests, `npm run sim`), the worker is TypeScript too and needs tsx
    const source = here.endsWith(".ts");
    const url = new URL(source ? "./shard-worker.ts" : "./shard-worker.js", here);
    // the sources import the other packages' sources, as the tests and `npm run sim` do
    const execArgv = source ? ["--conditions=@openlem/source"] : [];
    this.threads = shards.map((members) => {
      const { port1, port2 } = new MessageChannel();
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
      const columns = shardColumns(members.length, true);
      const workerData: ShardWorkerData = { loaded, mode, members, control, price, columns, port: port2 };
      const worker = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: { ...workerData, entry: url.href, source },
        transferList: [port2],
        execArgv,
      });
      // the run waits on shared memory, not on the event loop: the workers must not keep a finished run alive
      worker.unref();
      return { worker, port: port1, control, columns, command: 0 };
    });
  }

  /** The columns shard k's worker writes its bids and meters into, and reads its fills from. */
  columns(k: number): ShardColumns {
    return (this.threads[k] as ShardThread).columns;
  }

  /** Hands every worker slot t: act on slot t − 1 (its fills are written), then bid for t (−1: report and stop). */
  step(t: number): void {
    for (const th of this.threads) {
      th.control[SLOT] = t;
      th.command++;
      Atomics.store(th.control, COMMAND, th.command);
      Atomics.notify(th.control, COMMAND);
    }
  }

  /** Blocks until every worker has done its slot; a worker's failure is thrown here. */
  wait(): void {
    this.waitUntil((th) => Atomics.load(th.control, DONE) === th.command, DONE);
  }

  private waitUntil(ready: (th: ShardThread) => boolean, word: number): void {
    for (const th of this.threads) {
      const deadline = Date.now() + SLOT_TIMEOUT_MS;
      for (;;) {
        if (ready(th)) break;
        if (Atomics.load(th.control, DONE) === -th.command) {
          const m = receiveMessageOnPort(th.port)?.message as { error?: string } | undefined;
          this.close();
          throw new Error(`a simulator worker failed: ${m?.error ?? "no reason given"}`);
        }
        const seen = Atomics.load(th.control, word);
        if (ready(th)) break;
        if (Atomics.wait(th.control, word, seen, 100) === "timed-out" && Date.now() > deadline) {
          this.close();
          throw new Error(`a simulator worker did not finish a slot within ${SLOT_TIMEOUT_MS / 60_000} minutes`);
        }
      }
    }
  }

  /** Stops the workers and answers each shard's safety figures. */
  finish(): SafetyFigures[] {
    this.step(-1);
    this.wait();
    const figures = this.threads.map((th) => {
      const m = receiveMessageOnPort(th.port)?.message as { safety?: SafetyFigures } | undefined;
      if (!m?.safety) throw new Error("a simulator worker stopped without its safety figures");
      return m.safety;
    });
    this.close();
    return figures;
  }

  close(): void {
    for (const th of this.threads) {
      th.port.close();
      void th.worker.terminate();
    }
  }
}
