/**
 * A signal this soon after the first is the same one again: Ctrl-C reaches every process of the
 * terminal's group, and `npm run` passes it on to its child as well, milliseconds later.
 */
const SAME_SIGNAL_MS = 1_000;

/**
 * How a bridge process ends: on SIGINT or SIGTERM, and as far as it still can on a crash
 * (an uncaught exception or rejection), it runs `stop`, which hands the devices back, then
 * exits. A second signal (a second later or more), or a `stop` that takes longer than
 * `graceMs`, ends it anyway: a hand-back that hangs must not keep the process from ending.
 */
export function stopOnExit(o: {
  name: string;
  stop: () => Promise<void>;
  log?: (line: string) => void;
  graceMs?: number;
}): void {
  const log = o.log ?? ((line: string) => console.log(line));
  let stoppingSince: number | null = null;
  const stop = (code: number) => {
    if (stoppingSince !== null) {
      if (Date.now() - stoppingSince < SAME_SIGNAL_MS) return;
      process.exit(code);
    }
    stoppingSince = Date.now();
    log(`${o.name}: stopping, handing the devices back`);
    setTimeout(() => process.exit(code), o.graceMs ?? 10_000).unref();
    void o.stop().then(
      () => {
        log(`${o.name}: devices handed back`);
        process.exit(code);
      },
      (err: unknown) => {
        log(`${o.name}: handing back failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(code || 1);
      },
    );
  };
  process.on("SIGINT", () => stop(0));
  process.on("SIGTERM", () => stop(0));
  const crashed = (err: unknown) => {
    log(`${o.name} crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    stop(1);
  };
  process.on("uncaughtException", crashed);
  process.on("unhandledRejection", crashed);
}
