/** A one-line progress bar on stderr when it is a terminal; silent otherwise (logs, pipes, CI). */
export class ProgressBar {
  private last = -1;
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 30,
  ) {}

  update(label: string, done: number, total: number): void {
    if (!this.stream.isTTY) return;
    const pct = Math.floor((done / Math.max(1, total)) * 100);
    if (pct === this.last) return;
    this.last = pct;
    const filled = Math.round((pct / 100) * this.width);
    this.stream.write(
      `\r${label.padEnd(34)} [${"#".repeat(filled)}${".".repeat(this.width - filled)}] ${String(pct).padStart(3)} %`,
    );
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write("\r\x1b[K");
    this.last = -1;
  }
}
