// Main-job part: Steward (Ch. 3). A short simulator sweep over the fault scenarios (S1, S2,
// I1–I14, I16, I17 and L1 checked on every seed), then a small real cluster:
// 3 sites × 4 server processes (f = 1) over TCP with 20 ms / 10 Mbps links through the
// runtime link shaper, real RSA-1024
// and (3, 4) threshold RSA-1024; the leader site's rep is SIGKILLed mid-run and S1 is
// checked on every server's execution log. About 20 s on an idle 2-core machine.
import { checkExecutionLogs } from '../../steward/properties.js';
import { LocalCluster } from '../../steward/runtime/local-cluster.js';
import { scenarios } from '../../steward/sim-scenarios.js';
import { serverNode } from '../../steward/topology.js';
import type { MainJobPart } from './part.js';
import { sweepScenarios } from './scenario-sweep.js';

/** Seeds per scenario here (the test suite runs 1,000 in all). */
const SEEDS: Record<string, number> = { 'steward-sweep': 30, 'steward-mute-rep': 5, 'steward-leader-partition': 3, 'steward-bad-partials': 10, 'steward-equivocating-rep': 5 };
const TOPOLOGY = { sites: 3, f: 1, clientsPerSite: 1 };
const UPDATES = 10;
const BEFORE_KILL = 3;
const TIMEOUT_MS = 120_000;

export const stewardPart: MainJobPart = {
  name: 'steward',
  description: 'Steward: simulator sweep (crashes, f Byzantine/site, equivocating and mute reps, leader-site partition) + real 3×4-process cluster with a killed rep',
  async run(progress) {
    const { seeds, wallMs: sweepMs, violation, brokenCaught, summary } = sweepScenarios(scenarios, SEEDS);
    progress(summary);

    const c = await LocalCluster.start({ topology: TOPOLOGY, wan: { delayMs: 20, bandwidthBps: 10e6 }, updatesPerClient: UPDATES, opBytes: 200 });
    let s1: string | null = 'not run';
    let answered = 0;
    let latencyMs = 0;
    let throughput = 0;
    try {
      await c.waitAnswered(BEFORE_KILL, TIMEOUT_MS);
      c.kill(serverNode(TOPOLOGY, 0, 0));
      progress('real cluster: leader-site rep SIGKILLed');
      await c.waitAnswered(UPDATES, TIMEOUT_MS);
      s1 = checkExecutionLogs(c.executions());
      const all = [...c.answered().values()].flat();
      answered = all.length;
      latencyMs = all.reduce((a, x) => a + x.latencyUs, 0) / all.length / 1000;
      const span = (Math.max(...all.map((a) => a.t)) - Math.min(...all.map((a) => a.t - a.latencyUs))) / 1e6;
      throughput = answered / span;
    } finally {
      await c.stop();
      c.remove();
    }
    progress(`real cluster: ${answered} updates answered, mean ${latencyMs.toFixed(0)} ms, S1 ${s1 === null ? 'holds' : s1}`);
    return {
      measured: {
        'sim sweep': `${seeds} seeds over 5 fault scenarios in ${(sweepMs / 1000).toFixed(1)} s`,
        'real cluster': `${answered} updates, ${throughput.toFixed(1)} updates/s, mean latency ${latencyMs.toFixed(0)} ms (3×4 processes, 20 ms links, real RSA + threshold RSA, rep killed)`,
      },
      checked: {
        'sweep: S1, S2, I1–I14, I16, I17 (loss-free runs), L1 on every seed': violation === null,
        'broken variant caught (I4)': brokenCaught,
        'real cluster: S1 on all execution logs after SIGKILL of the rep': s1 === null,
      },
      detail: { seeds, violation, answered, latencyMs, throughput },
    };
  },
};
