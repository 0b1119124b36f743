import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { AgentMemory } from "./agent.js";

/**
 * The agent's memory on disk, so that its plan, the slots it already bid for and the last
 * anti-legionella heat survive a restart. Written to a temporary file and renamed, so a
 * crash mid-write leaves the previous version intact.
 */
export class MemoryFile {
  constructor(readonly path: string) {}

  /** The stored memory, or undefined when there is none or it is unreadable (then the agent starts afresh). */
  async load(): Promise<AgentMemory | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch {
      return undefined;
    }
    try {
      const parsed = AgentMemory.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async save(memory: AgentMemory): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(memory));
    await rename(tmp, this.path);
  }
}
