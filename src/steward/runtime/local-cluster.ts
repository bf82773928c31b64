// A real multi-process Steward cluster on this host (used by the multi-process test, the main
// job and the bench): one OS process per server (so one can be SIGKILLed), one process for all
// clients, TCP on loopback, wide-area links shaped in the runtime. Execution logs are read back
// to check S1 (properties.ts checkExecutionLogs).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LinkSpec } from '../../net/link-shaper.js';
import type { AcceptedRecord, ExecuteRecord } from '../outputs.js';
import { defaultK } from '../timeouts.js';
import { clientNode, nodeCount, serverCount, type StewardTopology } from '../topology.js';
import { writeDeployment, type Deployment } from './deployment.js';

const NODE_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node-main.js');
/** A process that has not said "ready" by then failed to start. */
export const READY_TIMEOUT_MS = 30_000;
/** W (D2) for the runtime: as in the simulator. */
const WINDOW = 128;

export interface LocalClusterOptions {
  topology: StewardTopology;
  wan: LinkSpec;
  updatesPerClient: number;
  opBytes: number;
  thresholdCrypto?: 'inline' | 'pool';
  /** Spawn the process of closed-loop clients (default); false when another process hosts the clients (steward-service.ts). */
  clientProcess?: boolean;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function waitReady(p: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${what} not ready after ${READY_TIMEOUT_MS} ms: ${err}`)), READY_TIMEOUT_MS);
    p.stderr!.on('data', (b) => {
      err += String(b);
      if (process.env.STEWARD_TRACE) process.stderr.write(b);
    });
    p.stdout!.on('data', (b) => {
      if (String(b).includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${err}`));
    });
  });
}

export class LocalCluster {
  readonly servers = new Map<number, ChildProcess>();
  private clients: ChildProcess | null = null;
  readonly killed = new Set<number>();

  private constructor(readonly dir: string, readonly logDir: string, readonly deployment: Deployment) {}

  static async start(o: LocalClusterOptions): Promise<LocalCluster> {
    const t = o.topology;
    const dir = mkdtempSync(path.join(tmpdir(), 'castellan-steward-'));
    const logDir = path.join(dir, 'logs');
    const kUs = defaultK(o.wan.delayMs * 1000, t.f);
    const d: Deployment = {
      topology: t,
      ports: await freePorts(nodeCount(t)),
      wan: o.wan,
      kUs,
      window: WINDOW,
      reconPeriodUs: Math.max(4 * o.wan.delayMs * 1000, 50_000),
      updatesPerClient: o.updatesPerClient,
      opBytes: o.opBytes,
      thresholdCrypto: o.thresholdCrypto ?? 'inline',
    };
    await writeDeployment(dir, d);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(logDir);
    const c = new LocalCluster(dir, logDir, d);
    // STEWARD_NODE_ARGS: extra node flags for every node process (e.g. "--cpu-prof --cpu-prof-dir=DIR" to profile the servers).
    const nodeArgs = process.env.STEWARD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const spawnNode = (ids: number[]) => spawn(process.execPath, [...nodeArgs, NODE_MAIN, dir, logDir, ...ids.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (let n = 0; n < serverCount(t); n++) c.servers.set(n, spawnNode([n]));
    await Promise.all([...c.servers].map(([n, p]) => waitReady(p, `server ${n}`)));
    if (o.clientProcess === false) return c;
    const clientIds = Array.from({ length: t.sites * t.clientsPerSite }, (_, i) => clientNode(t, Math.floor(i / t.clientsPerSite), i % t.clientsPerSite));
    c.clients = spawnNode(clientIds);
    await waitReady(c.clients, 'clients');
    return c;
  }

  kill(node: number): void {
    this.servers.get(node)?.kill('SIGKILL');
    this.killed.add(node);
  }

  executions(): Map<number, ExecuteRecord[]> {
    const logs = new Map<number, ExecuteRecord[]>();
    for (const n of this.servers.keys()) logs.set(n, readJsonLines<ExecuteRecord>(path.join(this.logDir, `exec-${n}.jsonl`)));
    return logs;
  }

  answered(): Map<number, (AcceptedRecord & { t: number })[]> {
    const t = this.deployment.topology;
    const out = new Map<number, (AcceptedRecord & { t: number })[]>();
    for (let i = 0; i < t.sites * t.clientsPerSite; i++) {
      const n = clientNode(t, Math.floor(i / t.clientsPerSite), i % t.clientsPerSite);
      out.set(n, readJsonLines(path.join(this.logDir, `client-${n}.jsonl`)));
    }
    return out;
  }

  /** Resolves once every client has `count` answers, or rejects after `timeoutMs`. */
  async waitAnswered(count: number, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const counts = [...this.answered().values()].map((l) => l.length);
      if (counts.every((c) => c >= count)) return;
      if (Date.now() > until) throw new Error(`clients answered ${counts.join(',')} of ${count} each within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Resolves once every live server has executed `count` updates (clients are answered by f+1, not all). */
  async waitExecuted(count: number, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const behind = [...this.executions()].filter(([n, l]) => !this.killed.has(n) && l.length < count);
      if (behind.length === 0) return;
      if (Date.now() > until) throw new Error(`servers ${behind.map(([n, l]) => `${n} (${l.length})`).join(', ')} executed fewer than ${count} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    const all = [...this.servers.values(), ...(this.clients ? [this.clients] : [])];
    await Promise.all(all.map((p) => new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) return resolve();
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 2000).unref();
    })));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}
