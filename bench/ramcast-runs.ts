// One measured run of `castellan bench ramcast`: a cluster of real processes (RamCast, or the
// Skeen-over-TCP baseline in the same runtime), closed-loop clients for a fixed time, and what
// came out: latency samples, throughput, and (RamCast, traced) per-hop arrival times.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeId } from '../src/sim/core.js';
import type { RmaBackend } from '../src/rma/native-rma.js';
import { clusterTopology } from '../src/ramcast/cluster.js';
import type { RamcastTopology } from '../src/ramcast/config.js';
import { Cluster, RAMCAST_ENTRY } from '../src/ramcast/runtime/launcher.js';
import type { WorkloadSpec } from '../src/ramcast/runtime/workload.js';

export type System = 'ramcast' | 'skeen_tcp';
/**
 * How nodes map to OS processes on this 2-core machine. per-node: one process per server and
 * client (a deployment's shape; more busy processes than cores, so every hop pays a scheduler
 * wake-up). packed: every server in one process and every client in another (one process per
 * core; RamCast's servers share one driver thread, Skeen's one event loop), the closest
 * this machine gets to the paper's dedicated core per process.
 */
export type Placement = 'packed' | 'per-node';

const SKEEN_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'baselines', 'skeen-tcp', 'skeen-process.js');
/** 2f+1 = 3 per group, as in the paper's experiments (spec §8). */
export const GROUP_SIZE = 3;
/** The paper's messages are 96 bytes; the slot header takes the rest of RamCast's 256. */
const PAYLOAD_BYTES = 96;
/** Both systems resolve a multicast once a majority of every destination group delivered it. */
const AWAIT = 'quorum';
const WORKLOAD_SLACK_MS = 60_000;

/**
 * Driver yield-spin after activity, µs (D16). packed: one driver per core, which may keep
 * looking for a while; per-node: a dozen processes per core, where looking only steals the CPU
 * the writer needs. (Polling without yielding was tried for packed runs: medians no better,
 * and 1 ms stalls whenever two spinners and the JS thread competed for the 2 cores.)
 */
export const SPIN_US: Record<Placement, number> = { packed: 100, 'per-node': 20 };

export interface RunSpec {
  system: System;
  placement: Placement;
  groups: number;
  clients: number;
  /** Multicasts each client keeps outstanding. */
  window: number;
  /** 'all': every message to every group (the latency runs); 'random': random subsets. */
  dst: 'all' | 'random';
  durationMs: number;
  warmupMs: number;
  backend: RmaBackend;
  /** Driver yield-spin (D16); default SPIN_US[placement]. */
  spinUs?: number;
  trace: boolean;
}

export interface RunOutcome {
  topology: RamcastTopology;
  latenciesUs: number[];
  /** Completed multicasts per second after the warm-up, summed over clients. */
  throughput: number;
  /** Per client: (seq, issuedNs, doneNs, settledNs) quadruples (RamCast only). */
  receipts: Map<NodeId, number[]>;
  /** Per server: (client, seq, bodyNs, tsNs, ackNs, deliverNs) rows (traced RamCast only). */
  traces: Map<NodeId, number[]>;
}

export async function runConfig(spec: RunSpec): Promise<RunOutcome> {
  const topology = clusterTopology({ groups: spec.groups, groupSize: GROUP_SIZE, clients: spec.clients });
  const everyGroup = topology.groups.map((_, g) => g);
  const workloads = new Map<NodeId, WorkloadSpec>(
    topology.clients.map((c, i) => [
      c,
      { groups: spec.groups, dst: spec.dst === 'all' ? everyGroup : 'random', durationMs: spec.durationMs, warmupMs: spec.warmupMs, window: spec.window, payloadBytes: PAYLOAD_BYTES, seed: 1 + i },
    ]),
  );
  const placement = spec.placement === 'packed' ? [topology.groups.flat(), topology.clients] : undefined;
  const cluster = await Cluster.launch({
    entry: spec.system === 'ramcast' ? RAMCAST_ENTRY : SKEEN_ENTRY,
    topology,
    placement,
    backend: spec.backend,
    spinUs: spec.spinUs ?? SPIN_US[spec.placement],
    trace: spec.trace,
    awaitMode: AWAIT,
    workloads,
  });
  try {
    cluster.go();
    const finished = await cluster.waitWorkloads(topology.clients, spec.durationMs + WORKLOAD_SLACK_MS);
    if (!finished) throw new Error(`${spec.system} ${spec.placement} ${spec.groups} groups: the clients did not finish (${cluster.error?.message ?? 'stuck'})`);
    await cluster.stop();
  } finally {
    cluster.killAll();
  }
  const results = [...cluster.results.values()];
  return {
    topology,
    latenciesUs: results.flatMap((r) => r.latenciesUs),
    throughput: results.reduce((sum, r) => sum + (r.measuredMs > 0 ? (r.measuredCompleted * 1000) / r.measuredMs : 0), 0),
    receipts: new Map([...cluster.results].map(([n, r]) => [n, r.receipts])),
    traces: cluster.traces,
  };
}
