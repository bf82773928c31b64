// What bench/gateway.ts drives and measures: the KV service in its own process (`castellan
// serve`, so the load generator never shares the gateway's event loop), autocannon against
// it, and the CPU time of the service's whole process tree (gateway + every server process)
// from /proc, to tell a CPU-bound service from a waiting one.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CASTELLAN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'castellan.js');
/** Starting a Steward cluster deals keys and spawns a process per server: allow for a loaded machine. */
const SERVE_READY_TIMEOUT_MS = 120_000;
/** Linux reports process CPU in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_S = 100;

/** The part of autocannon's programmatic API used here (it ships no types). */
interface AutocannonResult {
  duration: number;
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (o: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface ServedService {
  url: string;
  pid: number;
  /** SIGINT, then the exit code (null: it had to be SIGKILLed). */
  stop(): Promise<number | null>;
}

export async function serve(args: string[]): Promise<ServedService> {
  const p: ChildProcess = spawn(process.execPath, [CASTELLAN, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (b) => (err += String(b)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`castellan serve ${args.join(' ')} not ready in ${SERVE_READY_TIMEOUT_MS} ms: ${err}`)), SERVE_READY_TIMEOUT_MS);
    let out = '';
    p.stdout!.on('data', (b) => {
      out += String(b);
      const m = /at (http:\/\/\S+?)\/kv\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`castellan serve exited with ${code}: ${err}`));
    });
  });
  return {
    url,
    pid: p.pid!,
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (p.exitCode !== null) return resolve(p.exitCode);
        p.once('exit', (code) => resolve(code));
        p.kill('SIGINT');
        setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** User + system CPU seconds of `root` and all its descendants, now. */
export function treeCpuSeconds(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const s = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid … utime (14th) stime (15th).
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // The process exited while we looked.
    }
  }
  let ticks = 0;
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = stats.get(p)?.ppid ?? 0, hops++) if (p === root) return true;
    return false;
  };
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks / TICKS_PER_S;
}

export interface LoadSpec {
  url: string;
  method: 'PUT' | 'GET';
  connections: number;
  durationS: number;
  /** PUT body size: the paper's 200 B update is a put of about this much. */
  valueBytes: number;
  /** Keys written and read: k0 … k(keys-1). */
  keys: number;
}

export interface LoadOutcome {
  ok: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
}

export async function load(spec: LoadSpec): Promise<LoadOutcome> {
  const body = 'v'.repeat(spec.valueBytes);
  let next = 0;
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    requests: [{ method: spec.method, body: spec.method === 'PUT' ? body : undefined, setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/kv/k${next++ % spec.keys}` }) }],
  });
  return { ok: r['2xx'], perSecond: r['2xx'] / r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99, failed: r.non2xx + r.errors + r.timeouts };
}

/** Writes every key the load reads (GETs of absent keys would be 404s, not reads), `parallel` at a time. */
export async function prefill(url: string, keys: number, valueBytes: number, parallel: number): Promise<void> {
  const body = 'v'.repeat(valueBytes);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < keys; k = next++) {
      const r = await fetch(`${url}/kv/k${k}`, { method: 'PUT', body });
      if (r.status !== 200) throw new Error(`prefill PUT k${k}: ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
