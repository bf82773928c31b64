// The body of a cluster process (forked by launcher.ts): hosts the nodes its spec names, each
// on its own TCP mesh endpoint, and follows the launcher's script (process-protocol.ts). What a
// node is comes from a Stack: RamCast (ramcast-process.ts: native driver + control plane) or
// the Skeen-over-TCP baseline (bench/baselines/skeen-tcp), so both run in the same runtime.
import type { NodeId } from '../../sim/core.js';
import { allServers, isClient } from '../config.js';
import { DeliveryLogWriter } from './delivery-log.js';
import type { FromProcess, NodeStatus, ProcessSpec, ToProcess } from './process-protocol.js';
import { TcpMesh, type MeshHandlers } from './tcp-mesh.js';
import { runWorkload, type Multicast } from './workload.js';

export interface HostedNode extends MeshHandlers {
  readonly self: NodeId;
  /** Runs after every node of the process exists and before any hello is built. */
  start(): void;
  helloExtra(peer: NodeId): Uint8Array;
  status(): NodeStatus;
  stop(): void;
  /** Clients: how the workload multicasts. */
  multicast?: Multicast;
  /** Servers with trace on: per-hop rows gathered so far. */
  traces?(): number[];
}

export interface Stack {
  /** Builds this process's nodes; `log` is the node's delivery log when the spec asks for one. */
  nodes(spec: ProcessSpec, mesh: (node: NodeId) => TcpMesh, log: (node: NodeId) => DeliveryLogWriter | undefined): HostedNode[];
  /** After the nodes exist (e.g. start the native driver thread). */
  start?(): void;
  stop?(): void;
}

function send(message: FromProcess): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

/** Who a node keeps a control connection with: servers with everyone, clients with servers. */
export function meshPeers(spec: ProcessSpec, node: NodeId): NodeId[] {
  const servers = allServers(spec.topology);
  const everyone = isClient(spec.topology, node) ? servers : [...servers, ...spec.topology.clients];
  return everyone.filter((n) => n !== node);
}

export function runProcess(stack: Stack): void {
  if (!process.send) throw new Error('a cluster process runs under launcher.ts (fork with an IPC channel)');
  let spec: ProcessSpec | undefined;
  let nodes: HostedNode[] = [];
  const meshes = new Map<NodeId, TcpMesh>();
  const logs = new Map<NodeId, DeliveryLogWriter>();
  let stopping = false;

  const fail = (e: unknown) => {
    void send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }).then(() => process.exit(1));
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  // The launcher gone means the run is over: do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));

  const statuses = () => nodes.map((n) => n.status());

  const handlers: Record<ToProcess['type'], (m: never) => Promise<void> | void> = {
    init: async (m: Extract<ToProcess, { type: 'init' }>) => {
      spec = m.spec;
      const s = spec;
      for (const node of s.nodes) {
        meshes.set(node, new TcpMesh({ self: node, peers: meshPeers(s, node), heartbeatMs: s.heartbeatMs, suspectAfterMs: s.suspectAfterMs }, {
          hello: (peer, extra) => byNode.get(node)!.hello(peer, extra),
          frame: (peer, channel, body) => byNode.get(node)!.frame(peer, channel, body),
          suspect: (peer, suspected, crashed) => byNode.get(node)!.suspect(peer, suspected, crashed),
        }));
        if (s.logDir) logs.set(node, new DeliveryLogWriter(s.logDir, node));
      }
      nodes = stack.nodes(s, (n) => meshes.get(n)!, (n) => logs.get(n));
      const byNode = new Map(nodes.map((n) => [n.self, n]));
      stack.start?.();
      for (const n of nodes) n.start();
      const ports: Record<string, number> = {};
      for (const [node, mesh] of meshes) ports[node] = await mesh.listen();
      await send({ type: 'listening', ports });
    },
    peers: async (m: Extract<ToProcess, { type: 'peers' }>) => {
      const addresses = new Map(Object.entries(m.addresses).map(([k, v]) => [Number(k), v]));
      await Promise.all(nodes.map((n) => meshes.get(n.self)!.connect(addresses, (peer) => n.helloExtra(peer))));
      await send({ type: 'ready' });
    },
    go: () => {
      for (const n of nodes) {
        const w = spec!.workloads[n.self];
        if (!w || !n.multicast) continue;
        void runWorkload(w, n.multicast, () => stopping).then((result) => send({ type: 'workload-done', node: n.self, result }));
      }
    },
    status: () => send({ type: 'status', nodes: statuses() }),
    detector: (m: Extract<ToProcess, { type: 'detector' }>) => {
      for (const mesh of meshes.values()) mesh.setSuspectAfter(m.suspectAfterMs);
    },
    stop: async () => {
      stopping = true;
      for (const n of nodes) {
        const rows = n.traces?.();
        if (rows?.length) await send({ type: 'traces', node: n.self, rows });
      }
      const final = statuses();
      for (const n of nodes) n.stop();
      for (const mesh of meshes.values()) mesh.close();
      stack.stop?.();
      for (const log of logs.values()) log.close();
      await send({ type: 'stopped', nodes: final });
      process.exit(0);
    },
  };

  // One message at a time, in order: setup steps depend on each other.
  let chain = Promise.resolve();
  process.on('message', (m: ToProcess) => {
    chain = chain.then(() => handlers[m.type](m as never)).catch(fail);
  });
}
