import { type ConnectionState, type HubConnection, statusOf } from "./connection.js";
import type { NodeDef, Red, RedNode } from "./red.js";

/** The openlem-hub config node as other nodes see it. */
export interface HubConfigNode extends RedNode {
  connection?: HubConnection;
  problem?: string;
}

/**
 * The connection of the config node named by `def.hub`, with the node's status following the
 * connection's state; null (and a red status saying what to do) when it is missing or broken,
 * or when the node's own options have a problem (`optionsProblem`): then the node does not
 * follow the connection at all, so a later "connected" cannot paint over the red.
 */
export function useHub(RED: Red, node: RedNode, def: NodeDef, optionsProblem?: string | null): HubConnection | null {
  if (optionsProblem) {
    node.status({ fill: "red", shape: "ring", text: optionsProblem });
    return null;
  }
  const config = (typeof def.hub === "string" ? RED.nodes.getNode(def.hub) : null) as HubConfigNode | null;
  if (!config) {
    node.status({ fill: "red", shape: "ring", text: "no hub: choose an openlem-hub" });
    return null;
  }
  const conn = config.connection;
  if (!conn) {
    node.status({ fill: "red", shape: "ring", text: config.problem ?? "hub not configured" });
    return null;
  }
  const show = (s: ConnectionState) => node.status(statusOf(s));
  show(conn.state);
  conn.on("state", show);
  // a token of another household, or a revoked one, shows on every node at once
  void conn.checkIdentity();
  node.on("close", (_removed, done) => {
    conn.off("state", show);
    done();
  });
  return conn;
}

/**
 * For the device nodes, which steer their device with or without a hub: the connection, or
 * why there is none (then the device runs under local control and its own status says why;
 * the connection's state is not shown over it).
 */
export function hubOrWhy(RED: Red, def: NodeDef): { connection: HubConnection | null; why: string } {
  const config = (typeof def.hub === "string" ? RED.nodes.getNode(def.hub) : null) as HubConfigNode | null;
  if (!config) return { connection: null, why: "no hub: choose an openlem-hub" };
  if (!config.connection) return { connection: null, why: config.problem ?? "hub not configured" };
  return { connection: config.connection, why: "" };
}
