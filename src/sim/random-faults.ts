// Fault schedules drawn from the seed, for sweeps that explore crashes and pauses the scenario
// author did not list by hand. Call it from a scenario's build with the build rng.
import type { NodeId, TimeUs } from './core.js';
import { sampleLatency, type LatencyDist } from './link.js';
import type { Rng } from './prng.js';
import type { FaultSpec } from './setup.js';

export type RandomFaultKind = 'crash' | 'crash-restart' | 'pause';

export interface RandomFaultOptions {
  /** Nodes that may fail: list at most f of them to stay within a protocol's fault bound. */
  nodes: NodeId[];
  count: number;
  kinds: RandomFaultKind[];
  /** Faults start uniformly in [fromUs, toUs]. */
  fromUs: TimeUs;
  toUs: TimeUs;
  /** How long a restart or a pause takes. */
  downUs: LatencyDist;
}

export function drawFaults(rng: Rng, o: RandomFaultOptions): FaultSpec[] {
  if (o.count > 0 && (o.nodes.length === 0 || o.kinds.length === 0)) throw new RangeError('drawFaults needs at least one node and one kind');
  const faults: FaultSpec[] = [];
  for (let i = 0; i < o.count; i++) {
    const node = rng.pick(o.nodes);
    const kind = rng.pick(o.kinds);
    const atUs = rng.range(o.fromUs, o.toUs);
    const downUs = sampleLatency(o.downUs, rng);
    if (kind === 'pause') faults.push({ kind: 'pause', node, atUs, forUs: downUs });
    else if (kind === 'crash-restart') faults.push({ kind: 'crash', node, atUs, restartAfterUs: downUs });
    else faults.push({ kind: 'crash', node, atUs });
  }
  return faults;
}
