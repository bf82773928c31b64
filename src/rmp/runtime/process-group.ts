// Supervises RMP processes (member-process.ts) for multi-process tests, the benchmark and
// the main job: starts them (plainly on this host, or inside network namespaces), sends them
// commands, collects what they print, waits for conditions, and kills them (SIGKILL too).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Host, Lan } from '../../net/netns.js';
import type { OutputRecord } from '../properties.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'member-process.js');
/** How often waitFor re-checks its condition. */
const POLL_MS = 20;

export interface ProcessSpec {
  node: number;
  role: 'member' | 'client';
  /** Runner arguments beyond --node/--role (group, iface, founders, …). */
  args: string[];
  /** Run inside this namespace host (else on this host directly). */
  host?: Host;
}

export class RmpProcess {
  readonly outputs: OutputRecord[] = [];
  readonly reports: Record<string, unknown>[] = [];
  ready: Record<string, unknown> | null = null;
  exited: number | null = null;
  readonly stderr: string[] = [];

  constructor(readonly spec: ProcessSpec, private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (o.ready !== undefined) this.ready = o.ready as Record<string, unknown>;
      else if (o.report !== undefined) this.reports.push(o.report as Record<string, unknown>);
      else this.outputs.push(o as unknown as OutputRecord);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
    child.on('exit', (code, signal) => (this.exited = code ?? (signal === 'SIGKILL' ? 137 : 1)));
  }

  send(cmd: Record<string, unknown>): void {
    if (this.exited === null) this.child.stdin!.write(JSON.stringify(cmd) + '\n');
  }

  async report(timeoutMs = 5000): Promise<Record<string, unknown>> {
    const n = this.reports.length;
    this.send({ cmd: 'report' });
    await waitFor(() => this.reports.length > n, timeoutMs, `report from node ${this.spec.node}`);
    return this.reports[n]!;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exited === null) this.child.kill(signal);
  }

  /** Outputs named `name`, in order. */
  named(name: string): Record<string, unknown>[] {
    return this.outputs.filter((o) => o.name === name).map((o) => o.data as Record<string, unknown>);
  }
}

export function startProcess(spec: ProcessSpec, lan?: Lan): RmpProcess {
  const args = [RUNNER, '--node', String(spec.node), '--role', spec.role, ...spec.args];
  const child = spec.host !== undefined && lan !== undefined ? lan.spawn(spec.host, process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] }) : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  return new RmpProcess(spec, child);
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export async function stopAll(ps: readonly RmpProcess[]): Promise<void> {
  for (const p of ps) p.send({ cmd: 'exit' });
  await waitFor(() => ps.every((p) => p.exited !== null), 3000, 'processes to exit').catch(() => ps.forEach((p) => p.kill()));
}

/** Every process's outputs merged in time order (all share CLOCK_MONOTONIC). */
export function mergedOutputs(ps: readonly RmpProcess[]): OutputRecord[] {
  return ps.flatMap((p) => p.outputs).sort((a, b) => a.t - b.t);
}
