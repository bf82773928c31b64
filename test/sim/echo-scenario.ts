// The echo protocol as a registered-style scenario with every network impairment switched on,
// for determinism tests and `castellan sim --module dist/test/sim/echo-scenario.js`.
import type { Scenario } from '../../src/sim/scenario.js';
import type { Property } from '../../src/sim/property.js';
import { drawFaults } from '../../src/sim/random-faults.js';
import { echoNodes } from './echo-protocol.js';

/** A pong is only ever for a ping that was sent: checked on every trace record. */
const pongsAnswerPings: Property = {
  name: 'pongs-answer-pings',
  onRecord(r) {
    if (r.kind !== 'output' || r.name !== 'pong') return null;
    const d = r.data as { n: number };
    return d.n >= 0 && d.n < echoDefaults.pings ? null : `pong for ping ${d.n}, which was never sent`;
  },
};

const echoDefaults = { nodes: 4, pings: 40, loss: 0.05, duplicate: 0.02, reorder: 0.1, faults: 1 };

export const echo: Scenario<typeof echoDefaults> = {
  name: 'echo',
  description: 'node 0 pings its peers, they echo; lossy, duplicating, reordering links and a random crash/pause',
  params: echoDefaults,
  build(rng, p) {
    return {
      nodes: echoNodes({ nodes: p.nodes, pings: p.pings, intervalUs: 1000, size: 64 }),
      network: {
        defaults: { latency: { kind: 'uniform', minUs: 50, maxUs: 500 }, loss: p.loss, duplicate: p.duplicate, reorder: p.reorder, bandwidthBytesPerSec: 10e6 },
      },
      faults: drawFaults(rng, { nodes: [1, 2, 3].filter((n) => n < p.nodes), count: p.faults, kinds: ['crash-restart', 'pause'], fromUs: 0, toUs: 30_000, downUs: { kind: 'uniform', minUs: 1000, maxUs: 10_000 } }),
      detector: { delayUs: 2000 },
      properties: [pongsAnswerPings],
      limitUs: 100_000,
    };
  },
};
