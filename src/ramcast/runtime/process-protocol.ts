// What the launcher (launcher.ts) and a cluster process (process-runner.ts) say to each other
// over the fork IPC channel: setup (init → listening → peers → ready), the run (go, status,
// workload results) and shutdown (stop → stopped). Control only; the nodes talk over their
// own TCP mesh and RMA regions.
import type { Json, NodeId } from '../../sim/core.js';
import type { RmaBackend } from '../../rma/native-rma.js';
import type { RamcastTopology } from '../config.js';
import type { AwaitMode } from './native-driver.js';
import type { PeerAddress } from './tcp-mesh.js';
import type { WorkloadResult, WorkloadSpec } from './workload.js';

export interface ProcessSpec {
  topology: RamcastTopology;
  /** The nodes this process hosts (one driver thread serves them all). */
  nodes: NodeId[];
  backend: RmaBackend;
  /** Driver busy-poll before sleeping, µs. */
  spinUs: number;
  /** Record per-hop arrival times of every message (bench). */
  trace: boolean;
  /** Where to append delivery logs (none: no logs). */
  logDir?: string;
  heartbeatMs?: number;
  suspectAfterMs?: number;
  awaitMode: AwaitMode;
  /** Per client node: what it runs after `go`. */
  workloads: Record<string, WorkloadSpec>;
}

export type ToProcess =
  | { type: 'init'; spec: ProcessSpec }
  | { type: 'peers'; addresses: Record<string, PeerAddress> }
  | { type: 'go' }
  | { type: 'status' }
  /** New failure-detector timeout for every node's mesh (tests provoke false suspicions). */
  | { type: 'detector'; suspectAfterMs: number }
  | { type: 'stop' };

export interface NodeStatus {
  node: NodeId;
  role: 'server' | 'client';
  delivered?: number;
  issued?: number;
  completed?: number;
  outstanding?: number;
  stats?: Json;
}

export type FromProcess =
  | { type: 'listening'; ports: Record<string, number> }
  | { type: 'ready' }
  | { type: 'status'; nodes: NodeStatus[] }
  | { type: 'workload-done'; node: NodeId; result: WorkloadResult }
  | { type: 'traces'; node: NodeId; rows: number[] }
  | { type: 'stopped'; nodes: NodeStatus[] }
  | { type: 'error'; message: string };
