// Main-job part: RamCast (issue 5) in the deterministic simulator, running the native
// per-message cores: three groups of three, four clients multicasting to random group subsets,
// a leader and a client crashing mid-run; every §9 property is checked on the delivery logs.
// The real-process shm runtime is not built yet (see src/ramcast/decisions.md).
import { sweepScenario } from '../../ramcast/sim-scenarios.js';
import { runSeed } from '../../sim/run-seed.js';
import type { Scenario } from '../../sim/scenario.js';
import { clusterTopology } from '../../ramcast/cluster.js';
import { checkLogs, logsFromOutputs } from '../../ramcast/properties.js';
import { Rng } from '../../sim/prng.js';
import { RNG_STREAM, Simulator } from '../../sim/simulator.js';
import { encodeMulticastRequest } from '../../ramcast/request.js';
import { clusterNodes } from '../../ramcast/cluster.js';
import { DETECT_US } from '../../ramcast/sim-scenarios.js';
import type { MainJobPart } from './part.js';

/** Seeds of the randomized sweep run here (the test suite runs 1,000). */
const SWEEP_SEEDS = 200;
const MESSAGES = 40;
const RUN_SEED = 5;

function crashRun() {
  const t = clusterTopology({ groups: 3, groupSize: 3, clients: 4 });
  const rng = new Rng(RUN_SEED).fork(RNG_STREAM.build);
  const inputs = Array.from({ length: MESSAGES }, (_, i) => {
    const dst = [0, 1, 2].filter(() => rng.chance(0.5));
    return { kind: 'request' as const, node: rng.pick(t.clients), atUs: rng.range(0, 4000), bytes: encodeMulticastRequest(dst.length ? dst : [rng.int(3)], new TextEncoder().encode(`m${i}`)) };
  });
  const sim = new Simulator(
    {
      nodes: clusterNodes(t),
      inputs,
      faults: [
        { kind: 'crash', node: t.groups[1]![0]!, atUs: 1500 }, // a leader
        { kind: 'crash', node: t.clients[0]!, atUs: 2000 }, // a client
      ],
      network: { defaults: { latency: { kind: 'uniform', minUs: 50, maxUs: 200 } } },
      detector: { delayUs: DETECT_US },
      limitUs: 1_000_000,
    },
    { seed: RUN_SEED },
  );
  return { t, result: sim.run(), sim };
}

export const ramcastPart: MainJobPart = {
  name: 'ramcast',
  description: 'RamCast atomic multicast (native cores) in the simulator: 3×3 servers, 4 clients, leader and client crash; §9 checked',
  async run(progress) {
    const started = process.hrtime.bigint();
    const { t, result, sim } = crashRun();
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const logs = logsFromOutputs(result.trace.outputs);
    const deliveries = [...logs.delivered.values()].reduce((n, l) => n + l.length, 0);
    const verdict = checkLogs(t, logs, (n) => !sim.faulty(n));
    progress(`crash run: ${logs.multicasts.size} multicasts, ${deliveries} deliveries, ${verdict ?? 'all §9 properties hold'}`);
    const sweepStarted = Date.now();
    let violation: string | null = null;
    for (let seed = 0; seed < SWEEP_SEEDS && !violation; seed++) {
      const r = runSeed(sweepScenario as unknown as Scenario, seed);
      if (r.violation) violation = `seed ${seed}: ${r.violation.property}: ${r.violation.message}`;
    }
    progress(`sweep: ${SWEEP_SEEDS} seeds in ${Date.now() - sweepStarted} ms, ${violation ?? 'no violation'}`);
    return {
      measured: {
        'crash run': `${logs.multicasts.size} multicasts, ${deliveries} deliveries, ${(wallMs / Math.max(1, deliveries) * 1000).toFixed(1)} µs wall per delivery (simulated, native cores)`,
        'sweep seeds': `${SWEEP_SEEDS} (1–8 groups, crashes, deposed leaders)`,
      },
      checked: {
        'crash run: integrity, agreement, prefix/acyclic order, validity': verdict === null,
        'sweep: every §9 property on every seed': violation === null,
      },
      detail: { multicasts: logs.multicasts.size, deliveries, violation: violation ?? verdict },
    };
  },
};
