import { describe, expect, it } from "vitest";
import { Progress } from "../src/progress.js";

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { isTTY, write: (t: string) => out.push(t), out };
}

describe("progress of long work", () => {
  it("writes a few plain lines where the output is not a terminal: the start, every quarter, done", () => {
    const s = sink(false);
    const p = new Progress(s);
    for (let i = 0; i <= 96; i++) p.update("demo: trading the day before", i, 96);
    p.done();
    expect(s.out.join("")).toBe([0, 25, 50, 75, 100].map((q) => `demo: trading the day before: ${q} %\n`).join(""));
    expect(s.out.join("")).not.toContain("\r");
  });

  it("a new label starts its own lines (the simulator's variants)", () => {
    const s = sink(false);
    const p = new Progress(s);
    for (const label of ["local", "local+battery"]) {
      for (let i = 0; i <= 10; i++) p.update(label, i, 10);
      p.done();
    }
    expect(s.out.filter((l) => l.startsWith("local+battery")).length).toBe(5);
    expect(s.out.length).toBe(10);
  });

  it("redraws one bar in place on a terminal, once per percent, and keeps or clears it at the end", () => {
    const s = sink(true);
    const p = new Progress(s, true);
    for (let i = 0; i <= 1000; i++) p.update("run", i, 1000);
    p.done();
    expect(s.out.length).toBe(102);
    expect(s.out.slice(0, -1).every((f) => f.startsWith("\r") && !f.includes("\n"))).toBe(true);
    expect(s.out.at(-2)).toMatch(/\[#{30}\] 100 %$/);
    expect(s.out.at(-1)).toBe("\n");
    const c = sink(true);
    const q = new Progress(c);
    q.update("run", 1, 2);
    q.done();
    expect(c.out.at(-1)).toBe("\r\x1b[K");
  });
});
