// Main-job part: RamCast (issue 5). In the simulator, running the native per-message cores: a
// 3×3 cluster with a leader and a client crashing, then a short seed sweep. Then as real OS
// processes over shm: the same shape with a leader and a client SIGKILLed mid-run, every
// process's delivery log checked with the same §9 checkers, and a short measurement of
// latency and throughput (servers packed in one process, clients in another: see
// bench/ramcast-runs.ts). `castellan bench ramcast` is the full measurement.
import { sweepScenario, DETECT_US } from '../../ramcast/sim-scenarios.js';
import type { Scenario } from '../../sim/scenario.js';
import { clusterNodes, clusterTopology } from '../../ramcast/cluster.js';
import { checkLogs, logsFromOutputs } from '../../ramcast/properties.js';
import { Rng } from '../../sim/prng.js';
import { RNG_STREAM, Simulator } from '../../sim/simulator.js';
import { encodeMulticastRequest } from '../../ramcast/request.js';
import { crashRun } from '../../ramcast/runtime/crash-run.js';
import { percentile } from '../../../bench/harness/stats.js';
import { runConfig } from '../../../bench/ramcast-runs.js';
import type { MainJobPart } from './part.js';
import { sweepScenarios } from './scenario-sweep.js';

/** Seeds of the randomized sweep run here (the test suite runs 1,000). */
const SWEEP_SEEDS = 200;
const MESSAGES = 40;
const RUN_SEED = 5;
/** Real processes: 13 of them on 2 cores, a few seconds. */
const REAL = { groups: 3, clients: 4, messagesPerClient: 150, window: 4, spinUs: 20, timeoutMs: 120_000, idleSampleMs: 500 };
/** The short measurement: long enough for a stable median, short enough for `npm start`. */
const MEASURE_MS = 1200;
const MEASURE_WARMUP_MS = 300;
const IDLE_CORES_MAX = 0.3;

function simulatedCrashRun() {
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
  description: 'RamCast atomic multicast: simulator (native cores) and real processes over shm, a leader and a client killed; §9 checked; latency/throughput',
  async run(progress) {
    const { t, result, sim } = simulatedCrashRun();
    const logs = logsFromOutputs(result.trace.outputs);
    const deliveries = [...logs.delivered.values()].reduce((n, l) => n + l.length, 0);
    const simVerdict = checkLogs(t, logs, (n) => !sim.faulty(n));
    progress(`simulator crash run: ${logs.multicasts.size} multicasts, ${deliveries} deliveries, ${simVerdict ?? 'all §9 properties hold'}`);
    const { violation, wallMs } = sweepScenarios([sweepScenario as unknown as Scenario], { [sweepScenario.name]: SWEEP_SEEDS });
    progress(`simulator sweep: ${SWEEP_SEEDS} seeds in ${wallMs} ms, ${violation ?? 'no violation'}`);

    progress(`real processes over shm: ${REAL.groups}×3 servers and ${REAL.clients} clients, SIGKILL a leader and a client mid-run`);
    const real = await crashRun({ backend: 'shm', ...REAL });
    const realVerdict = checkLogs(real.topology, real.logs, (n) => !real.dead.has(n));
    const realDeliveries = [...real.logs.delivered.values()].reduce((n, l) => n + l.length, 0);
    const killedGroup = real.topology.groups.find((g) => g.includes(real.killedLeader!))!;
    const newLeaders = real.quiescent.filter((s) => killedGroup.includes(s.node)).map((s) => (s.stats as { leader: number }).leader);
    const leaderChanged = newLeaders.length > 0 && newLeaders.every((l) => l === newLeaders[0] && l !== real.killedLeader);
    progress(`  ${real.logs.multicasts.size} multicasts, ${realDeliveries} deliveries in ${(real.wallMs / 1000).toFixed(1)} s; group leader ${real.killedLeader} → ${newLeaders[0]}; ${realVerdict ?? 'all §9 properties hold'}`);

    const base = { placement: 'packed' as const, durationMs: MEASURE_MS, warmupMs: MEASURE_WARMUP_MS, backend: 'shm' as const, trace: false, system: 'ramcast' as const };
    const latency = await runConfig({ ...base, groups: 1, clients: 1, window: 1, dst: 'all' });
    const throughput = await runConfig({ ...base, groups: 2, clients: 2, window: 16, dst: 'random' });
    const p50 = percentile(latency.latenciesUs, 50);
    const p99 = percentile(latency.latenciesUs, 99);
    progress(`  latency 1 group p50 ${p50.toFixed(1)} µs p99 ${p99.toFixed(1)} µs; throughput 2 groups, 2 clients: ${throughput.throughput.toFixed(0)} multicasts/s`);
    return {
      measured: {
        'simulator crash run': `${logs.multicasts.size} multicasts, ${deliveries} deliveries (native cores)`,
        'simulator sweep seeds': `${SWEEP_SEEDS} (1–8 groups, crashes, deposed leaders)`,
        'real processes (shm)': `${real.logs.multicasts.size} multicasts, ${realDeliveries} deliveries, 13 processes, ${(real.wallMs / 1000).toFixed(1)} s; leader ${real.killedLeader} and client ${real.killedClient} SIGKILLed`,
        'latency, 1 group, await quorum': `p50 ${p50.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs (servers in one process, client in another)`,
        'throughput, 2 groups, 2 clients × 16 outstanding': `${throughput.throughput.toFixed(0)} multicasts/s`,
        'idle cluster CPU': `${(real.idleCores * 100).toFixed(1)}% of one core for 11 processes`,
      },
      checked: {
        'simulator crash run: integrity, agreement, prefix/acyclic order, validity': simVerdict === null,
        'simulator sweep: every §9 property on every seed': violation === null,
        'real processes: every §9 property on the delivery logs (killed processes included)': realVerdict === null,
        'real processes: the killed leader\'s group elected a new leader': leaderChanged,
        'real processes: idle pollers sleep (no core kept busy)': real.idleCores < IDLE_CORES_MAX,
      },
      detail: { multicasts: logs.multicasts.size, deliveries, violation: violation ?? simVerdict, real: { verdict: realVerdict, deliveries: realDeliveries, latencyP50Us: p50, throughput: throughput.throughput } },
    };
  },
};
