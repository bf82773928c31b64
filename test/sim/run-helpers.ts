// Shared helpers for the simulator tests: run a setup with its trace kept, and pick records.
import type { NodeId } from '../../src/sim/core.js';
import type { SimSetup } from '../../src/sim/setup.js';
import { Simulator, type RunResult } from '../../src/sim/simulator.js';
import type { TraceKind, TraceRecord } from '../../src/sim/trace.js';

export function runSetup(setup: SimSetup, seed = 1): RunResult & { log: TraceRecord[] } {
  const result = new Simulator(setup, { seed, retainTrace: true }).run();
  return { ...result, log: result.trace.records };
}

export function pick(records: TraceRecord[], kind: TraceKind, node?: NodeId, name?: string): TraceRecord[] {
  return records.filter((r) => r.kind === kind && (node === undefined || r.node === node) && (name === undefined || r.name === name));
}

/** The `n` field of a node's outputs called `name`, in trace order. */
export function outputNs(records: TraceRecord[], node: NodeId, name: string): number[] {
  return pick(records, 'output', node, name).map((r) => (r.data as { n: number }).n);
}
