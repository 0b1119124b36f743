/**
 * The part of Node-RED's runtime API these nodes use, typed for them (Node-RED ships no
 * types of its own; the community ones trail its releases).
 */
export interface NodeMessage {
  payload?: unknown;
  topic?: string;
  _msgid?: string;
  [key: string]: unknown;
}

export interface NodeStatus {
  fill?: "red" | "green" | "yellow" | "blue" | "grey";
  shape?: "ring" | "dot";
  text?: string;
}

export type Send = (msg: NodeMessage | (NodeMessage | null)[]) => void;

export interface RedNode {
  id: string;
  type: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  on(event: "input", listener: (msg: NodeMessage, send: Send, done: (err?: Error) => void) => void): void;
  on(event: "close", listener: (removed: boolean, done: () => void) => void): void;
  status(status: NodeStatus): void;
  send(msg: NodeMessage | (NodeMessage | null)[]): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
  /** The node's context: memory by default, on disk with Node-RED's localfilesystem store. */
  context(): { get(key: string): unknown; set(key: string, value: unknown): void };
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  [key: string]: unknown;
}

export interface Red {
  nodes: {
    createNode(node: RedNode, def: NodeDef): void;
    registerType(
      type: string,
      init: (this: RedNode, def: NodeDef) => void,
      options?: { credentials?: Record<string, { type: "text" | "password" }> },
    ): void;
    getNode(id: string): unknown;
  };
  settings: { userDir?: string };
  /** The runtime's events ("flows:started" once every node of a deploy is up and wired). */
  events?: {
    once(event: "flows:started", listener: () => void): void;
    off(event: "flows:started", listener: () => void): void;
  };
}
