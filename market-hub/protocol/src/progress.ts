/**
 * Long work reporting how far it got, fitted to where the output goes: a live bar redrawn in
 * place on a terminal; a few plain lines (the start, every quarter, done) anywhere else (a log
 * file, `docker logs`, systemd's journal), where redrawn frames would pile up on one line.
 * Formatting only: the caller hands in the stream (stdout or stderr) to write to.
 */
export interface ProgressOutput {
  isTTY?: boolean | undefined;
  write(text: string): unknown;
}

export class Progress {
  private label = "";
  private shown = -1;

  constructor(
    private readonly out: ProgressOutput,
    /** Keep the finished bar on the terminal (true) or clear its line (false). */
    private readonly keep = false,
    private readonly width = 30,
  ) {}

  update(label: string, done: number, total: number): void {
    const pct = Math.min(100, Math.floor((done / Math.max(1, total)) * 100));
    if (label !== this.label) {
      this.label = label;
      this.shown = -1;
    }
    if (this.out.isTTY) {
      if (pct === this.shown) return;
      this.shown = pct;
      const filled = Math.round((pct / 100) * this.width);
      this.out.write(
        `\r${label.padEnd(34)} [${"#".repeat(filled)}${".".repeat(this.width - filled)}] ${String(pct).padStart(3)} %`,
      );
      return;
    }
    // the start, each quarter passed, and the end: one line each
    const quarter = pct === 100 ? 4 : Math.floor(pct / 25);
    if (quarter <= this.shown) return;
    this.shown = quarter;
    this.out.write(`${label}: ${quarter * 25} %\n`);
  }

  /** The work is over: the bar's line is kept or cleared on a terminal; plain lines stay. */
  done(): void {
    if (this.out.isTTY && this.shown >= 0) this.out.write(this.keep ? "\n" : "\r\x1b[K");
    this.label = "";
    this.shown = -1;
  }
}
