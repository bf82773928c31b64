// The real-process crash run (issue 5 acceptance; test/ramcast/real-process.test.ts asserts on
// it, the main job reports it): groups × 3 servers and some clients as OS processes
// multicasting to random group subsets; once a third of the multicasts completed, the leader of
// one group and one client are SIGKILLed — or, instead, the failure detector is made to
// suspect live processes for a while (leaders change with nobody dead, fenced writes race
// with new grants). The run waits for the surviving clients and for quiescence (the dead
// client's messages relayed everywhere, Task 10), measures the idle cluster's CPU, and returns
// the delivery logs every process appended as it went.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NodeId } from '../../sim/core.js';
import type { RmaBackend } from '../../rma/native-rma.js';
import { clusterTopology } from '../cluster.js';
import type { RamcastTopology } from '../config.js';
import { checkAgreement, type DeliveryLogs } from '../properties.js';
import { readDeliveryLogs } from './delivery-log.js';
import { Cluster, RAMCAST_ENTRY } from './launcher.js';
import type { NodeStatus } from './process-protocol.js';
import type { WorkloadResult } from './workload.js';
import { SUSPECT_AFTER_MS_DEFAULT } from './tcp-mesh.js';

export interface CrashRunOptions {
  backend: RmaBackend;
  groups: number;
  clients: number;
  messagesPerClient: number;
  window: number;
  /** Yield-spin of every driver; small, since a dozen processes share 2 cores. */
  spinUs: number;
  timeoutMs: number;
  /** How long the idle cluster's CPU is sampled. */
  idleSampleMs: number;
  /** Instead of the kills: suspect a peer after this much silence (heartbeats are 100 ms
   *  apart here), for `forMs`, then back to the default. */
  falseSuspicion?: { suspectAfterMs: number; forMs: number };
}

export interface CrashRun {
  topology: RamcastTopology;
  logs: DeliveryLogs;
  /** The killed leader and client (undefined with falseSuspicion). */
  killedLeader: NodeId | undefined;
  killedClient: NodeId | undefined;
  dead: Set<NodeId>;
  results: Map<NodeId, WorkloadResult>;
  /** Statuses of the survivors at quiescence, and after the idle sample. */
  quiescent: NodeStatus[];
  idle: NodeStatus[];
  /** CPU the idle survivors used together, in cores (1 = one core busy). */
  idleCores: number;
  wallMs: number;
}

const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ
const POLL_MS = 20;
/** With false suspicions provoked: heartbeats this often, so a short timeout trips often. */
const PROVOKED_HEARTBEAT_MS = 100;

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function crashRun(o: CrashRunOptions): Promise<CrashRun> {
  const started = Date.now();
  const topology = clusterTopology({ groups: o.groups, groupSize: 3, clients: o.clients });
  const logDir = mkdtempSync(path.join(tmpdir(), 'ramcast-logs-'));
  const workloads = new Map(topology.clients.map((c, i) => [c, { groups: o.groups, dst: 'random' as const, messages: o.messagesPerClient, window: o.window, payloadBytes: 24, seed: i + 1 }]));
  const cluster = await Cluster.launch({
    entry: RAMCAST_ENTRY,
    topology,
    backend: o.backend,
    spinUs: o.spinUs,
    logDir,
    awaitMode: 'all',
    workloads,
    heartbeatMs: o.falseSuspicion ? PROVOKED_HEARTBEAT_MS : undefined,
  });
  try {
    const deadline = started + o.timeoutMs;
    const late = (what: string) => {
      if (Date.now() > deadline) throw new Error(`crash run: ${what} within ${o.timeoutMs} ms (${cluster.error?.message ?? 'timeout'})`);
    };
    cluster.go();
    const completed = async () => (await cluster.status()).filter((s) => s.role === 'client').reduce((n, s) => n + (s.completed ?? 0), 0);
    while ((await completed()) < (o.clients * o.messagesPerClient) / 3) {
      late('the workload got going');
      await sleep(POLL_MS);
    }
    let killedLeader: NodeId | undefined;
    let killedClient: NodeId | undefined;
    if (o.falseSuspicion) {
      cluster.setSuspectAfter(o.falseSuspicion.suspectAfterMs);
      await sleep(o.falseSuspicion.forMs);
      cluster.setSuspectAfter(SUSPECT_AFTER_MS_DEFAULT);
    } else {
      killedLeader = topology.groups[Math.min(1, o.groups - 1)]![0]!;
      killedClient = topology.clients[0]!;
      await cluster.kill(killedLeader);
      await cluster.kill(killedClient);
    }
    const survivors = topology.clients.filter((c) => c !== killedClient);
    if (!(await cluster.waitWorkloads(survivors, Math.max(0, deadline - Date.now())))) late('the surviving clients finished');
    const dead = cluster.dead();
    const correct = (n: NodeId) => !dead.has(n);
    while (checkAgreement(topology, readDeliveryLogs(logDir), correct) !== null) {
      late('quiescence (every correct destination delivered what anyone delivered)');
      await sleep(POLL_MS);
    }
    const quiescent = await cluster.status();
    const pids = cluster.pids();
    const ticks0 = pids.map(cpuTicks);
    await sleep(o.idleSampleMs);
    const ticks = pids.map(cpuTicks).reduce((sum, t, i) => sum + t - ticks0[i]!, 0);
    const idle = await cluster.status();
    await cluster.stop();
    return {
      topology,
      logs: readDeliveryLogs(logDir),
      killedLeader,
      killedClient,
      dead,
      results: cluster.results,
      quiescent,
      idle,
      idleCores: ticks / CLOCK_TICKS_PER_S / (o.idleSampleMs / 1000),
      wallMs: Date.now() - started,
    };
  } finally {
    cluster.killAll();
    rmSync(logDir, { recursive: true, force: true });
  }
}
