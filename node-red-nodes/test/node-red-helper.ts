import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NodeMessage, NodeStatus } from "../src/shared/red.js";

/** node-red-node-test-helper as these tests use it (it ships no types). */
export interface TestNode {
  on(event: "input", listener: (msg: NodeMessage) => void): void;
  on(event: "call:status", listener: (call: { args: [NodeStatus] }) => void): void;
  receive(msg: NodeMessage): void;
}
export interface Helper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  startServer(done: () => void): void;
  stopServer(done: () => void): void;
  load(node: unknown, flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  /** Node-RED's log as a sinon spy: every call's first argument is the log entry. */
  log(): { args: [{ level: number; msg: unknown; type?: string; id?: string }][] };
}

const require = createRequire(import.meta.url);

/** The real Node-RED runtime through the test helper, with a user directory of its own. */
export function nodeRedHelper(name: string): Helper {
  const helper = require("node-red-node-test-helper") as Helper;
  helper.init(require.resolve("node-red"), { userDir: mkdtempSync(join(tmpdir(), `openlem-${name}-`)) });
  return helper;
}

/** Node-RED's core complete node, to know when a node has taken a message. */
export const completeNode = require("@node-red/nodes/core/common/24-complete.js") as unknown;
