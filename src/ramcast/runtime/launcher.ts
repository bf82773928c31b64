// Starts a cluster as real OS processes (child_process.fork) and drives it through
// process-protocol.ts: each process hosts the nodes of its placement, listens, learns every
// node's control address, connects, and runs its clients' workloads on `go`. A node can be
// SIGKILLed mid-run (the processes it shares a placement with die with it).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeId } from '../../sim/core.js';
import type { RmaBackend } from '../../rma/native-rma.js';
import { rma } from '../../rma/native-rma.js';
import { allServers, type RamcastTopology } from '../config.js';
import type { AwaitMode } from './native-driver.js';
import type { FromProcess, NodeStatus, ProcessSpec, ToProcess } from './process-protocol.js';
import type { PeerAddress } from './tcp-mesh.js';
import type { WorkloadResult, WorkloadSpec } from './workload.js';

/** The RamCast process entry (compiled next to this file). */
export const RAMCAST_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ramcast-process.js');
/** Setup of a dozen Node processes on 2 busy cores takes seconds; past this something is wrong. */
const SETUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface LaunchSpec {
  entry: string;
  topology: RamcastTopology;
  /** Nodes per process; default one process per node. */
  placement?: NodeId[][];
  backend: RmaBackend;
  spinUs: number;
  trace?: boolean;
  logDir?: string;
  heartbeatMs?: number;
  suspectAfterMs?: number;
  awaitMode: AwaitMode;
  workloads: Map<NodeId, WorkloadSpec>;
}

interface Proc {
  child: ChildProcess;
  nodes: NodeId[];
  exited: boolean;
  inbox: FromProcess[];
  waiters: ((m: FromProcess) => boolean)[];
}

export class Cluster {
  private readonly procs: Proc[] = [];
  readonly results = new Map<NodeId, WorkloadResult>();
  readonly traces = new Map<NodeId, number[]>();
  private readonly resultWaiters: (() => void)[] = [];
  private failure: Error | undefined;

  private constructor(private readonly spec: LaunchSpec) {}

  static async launch(spec: LaunchSpec): Promise<Cluster> {
    const c = new Cluster(spec);
    try {
      await c.setup();
    } catch (e) {
      c.killAll();
      throw e;
    }
    return c;
  }

  private async setup(): Promise<void> {
    const { topology } = this.spec;
    const placement = this.spec.placement ?? [...allServers(topology), ...topology.clients].map((n) => [n]);
    for (const nodes of placement) {
      const child = fork(this.spec.entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const p: Proc = { child, nodes, exited: false, inbox: [], waiters: [] };
      child.on('message', (m: FromProcess) => this.receive(p, m));
      child.on('exit', () => {
        p.exited = true;
      });
      this.procs.push(p);
      const workloads: Record<string, WorkloadSpec> = {};
      for (const n of nodes) if (this.spec.workloads.has(n)) workloads[n] = this.spec.workloads.get(n)!;
      const spec: ProcessSpec = {
        topology,
        nodes,
        backend: this.spec.backend,
        spinUs: this.spec.spinUs,
        trace: this.spec.trace ?? false,
        logDir: this.spec.logDir,
        heartbeatMs: this.spec.heartbeatMs,
        suspectAfterMs: this.spec.suspectAfterMs,
        awaitMode: this.spec.awaitMode,
        workloads,
      };
      this.post(p, { type: 'init', spec });
    }
    const addresses: Record<string, PeerAddress> = {};
    const listening = await Promise.all(this.procs.map((p) => this.expect(p, 'listening', SETUP_TIMEOUT_MS)));
    for (const m of listening) for (const [node, port] of Object.entries(m.ports)) addresses[node] = { host: '127.0.0.1', port };
    for (const p of this.procs) this.post(p, { type: 'peers', addresses });
    await Promise.all(this.procs.map((p) => this.expect(p, 'ready', SETUP_TIMEOUT_MS)));
  }

  go(): void {
    for (const p of this.live()) this.post(p, { type: 'go' });
  }

  /** Statuses of every node in a live process. */
  async status(): Promise<NodeStatus[]> {
    const live = this.live();
    for (const p of live) this.post(p, { type: 'status' });
    const replies = await Promise.all(live.map((p) => this.expect(p, 'status', SETUP_TIMEOUT_MS).catch(() => ({ nodes: [] }))));
    return replies.flatMap((r) => r.nodes);
  }

  /** Sets every live node's failure-detector timeout. */
  setSuspectAfter(ms: number): void {
    for (const p of this.live()) this.post(p, { type: 'detector', suspectAfterMs: ms });
  }

  /** SIGKILLs the process hosting `node`; resolves once it is gone. */
  async kill(node: NodeId): Promise<void> {
    const p = this.procs.find((x) => x.nodes.includes(node));
    if (!p || p.exited) return;
    const exit = once(p.child, 'exit');
    p.child.kill('SIGKILL');
    await exit;
  }

  /** OS process ids of the live processes. */
  pids(): number[] {
    return this.live().map((p) => p.child.pid!);
  }

  /** Nodes of processes that were killed or died. */
  dead(): Set<NodeId> {
    return new Set(this.procs.filter((p) => p.exited).flatMap((p) => p.nodes));
  }

  /** Resolves when every listed client has reported its workload (or `timeoutMs` passes). */
  async waitWorkloads(nodes: NodeId[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!nodes.every((n) => this.results.has(n))) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.resultWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  /** Stops every live process; returns the final status of their nodes. */
  async stop(): Promise<NodeStatus[]> {
    const live = this.live();
    for (const p of live) this.post(p, { type: 'stop' });
    const out = await Promise.all(live.map((p) => this.expect(p, 'stopped', STOP_TIMEOUT_MS).then((m) => m.nodes, () => [])));
    this.killAll();
    await Promise.all(this.procs.filter((p) => !p.exited).map((p) => once(p.child, 'exit')));
    rma().sweepStale();
    return out.flat();
  }

  /** For `finally` blocks: nothing may outlive a failed test. */
  killAll(): void {
    for (const p of this.procs) if (!p.exited) p.child.kill('SIGKILL');
  }

  get error(): Error | undefined {
    return this.failure;
  }

  private live(): Proc[] {
    return this.procs.filter((p) => !p.exited);
  }

  private post(p: Proc, m: ToProcess): void {
    if (!p.exited && p.child.connected) p.child.send(m);
  }

  private receive(p: Proc, m: FromProcess): void {
    if (m.type === 'workload-done') {
      this.results.set(m.node, m.result);
      this.resultWaiters.splice(0).forEach((w) => w());
      return;
    }
    if (m.type === 'traces') {
      this.traces.set(m.node, m.rows);
      return;
    }
    if (m.type === 'error') {
      this.failure ??= new Error(`cluster process for nodes ${p.nodes.join(',')} failed: ${m.message}`);
      this.resultWaiters.splice(0).forEach((w) => w());
    }
    const i = p.waiters.findIndex((w) => w(m));
    if (i >= 0) p.waiters.splice(i, 1);
    else p.inbox.push(m);
  }

  private expect<T extends FromProcess['type']>(p: Proc, type: T, timeoutMs: number): Promise<Extract<FromProcess, { type: T }>> {
    return new Promise((resolve, reject) => {
      const at = p.inbox.findIndex((m) => m.type === type);
      if (at >= 0) return resolve(p.inbox.splice(at, 1)[0] as Extract<FromProcess, { type: T }>);
      if (p.exited) return reject(this.failure ?? new Error(`nodes ${p.nodes.join(',')} exited before ${type}`));
      const timer = setTimeout(() => reject(new Error(`nodes ${p.nodes.join(',')}: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      const onExit = () => {
        clearTimeout(timer);
        reject(this.failure ?? new Error(`nodes ${p.nodes.join(',')} exited before ${type}`));
      };
      p.child.once('exit', onExit);
      p.waiters.push((m) => {
        if (m.type === 'error') {
          clearTimeout(timer);
          p.child.off('exit', onExit);
          reject(this.failure);
          return true;
        }
        if (m.type !== type) return false;
        clearTimeout(timer);
        p.child.off('exit', onExit);
        resolve(m as Extract<FromProcess, { type: T }>);
        return true;
      });
    });
  }
}
