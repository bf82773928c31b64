// Main-job part: the composable architecture (Ch. 4). A short simulator sweep over its fault
// scenarios (local S1, S1, S2, BLink, CLink exactly-once, L1 checked on every seed), the
// deliberately broken variant (must be caught), then each of the four compositions,
// unoptimized and optimized, on a small simulated deployment (3–4 sites × 4 servers, 20 ms
// links, the paper's 2008 crypto costs on each server's virtual CPU) with every property
// checked and its throughput reported. There is no multi-process composable runtime yet: all
// of this runs the sans-IO cores in the simulator. About 20 s on an idle 2-core machine.
import { clusterSetup } from '../../composable/cluster.js';
import { OUT } from '../../composable/outputs.js';
import { composableChecks } from '../../composable/properties.js';
import { scenarios } from '../../composable/sim-scenarios.js';
import { COMPOSITIONS, compositionName, type ComposableTopology } from '../../composable/topology.js';
import { Simulator } from '../../sim/simulator.js';
import type { MainJobPart } from './part.js';
import { sweepScenarios } from './scenario-sweep.js';

/** Seeds per scenario here (the test suite runs more; `castellan sim composable-sweep --seeds N` more still). */
const SEEDS: Record<string, number> = {
  'composable-sweep': 6,
  'composable-local-leader-crash': 1,
  'composable-leader-site-partition': 1,
  'composable-byzantine-site': 1,
  'composable-bad-links': 1,
  'composable-equivocating-leader': 1,
};
const WAN_ONE_WAY_US = 20_000;
const CLIENTS_PER_SITE = 4;
/** Virtual time: a warm-up, then the measured window. */
const WARMUP_US = 300_000;
const MEASURE_US = 500_000;

function throughputRun(c: { wide: 'paxos' | 'bft'; local: 'paxos' | 'bft' }, optimized: boolean): { throughput: number; violation: string | null } {
  const t: ComposableTopology = { ...c, sites: c.wide === 'bft' ? 4 : 3, f: 1, clientsPerSite: CLIENTS_PER_SITE };
  const checks = composableChecks(t, { liveness: false, answersPerClient: 0 });
  const end = WARMUP_US + MEASURE_US;
  let answered = 0;
  const count = { name: 'count', onRecord: (r: { kind: string; name?: string; t: number }) => ((answered += r.kind === 'output' && r.name === OUT.accepted && r.t >= WARMUP_US ? 1 : 0), null) };
  const setup = clusterSetup(
    { topology: t, wan: { latency: { kind: 'fixed', us: WAN_ONE_WAY_US }, bandwidthBytesPerSec: 10e6 / 8 }, wanOneWayUs: WAN_ONE_WAY_US, optimized, updatesPerClient: Number.MAX_SAFE_INTEGER, opBytes: 200 },
    { limitUs: end, properties: [...checks.properties, count] },
  );
  const r = new Simulator(setup, { seed: 1 }).run();
  return { throughput: answered / (MEASURE_US / 1e6), violation: r.violation ? `${r.violation.property}: ${r.violation.message}` : null };
}

export const composablePart: MainJobPart = {
  name: 'composable',
  description: 'Composable architecture: simulator sweep (crashes, Byzantine servers and sites, partitions, bad links) + the 4 compositions, unoptimized and optimized, with every property checked',
  async run(progress) {
    const { seeds, wallMs: sweepMs, violation, brokenCaught, summary } = sweepScenarios(scenarios, SEEDS);
    progress(summary);
    const figures: Record<string, string> = {};
    const runViolations: string[] = [];
    const detail: Record<string, number> = {};
    for (const c of COMPOSITIONS)
      for (const optimized of [false, true]) {
        const name = `${compositionName(c)} ${optimized ? 'optimized' : 'unoptimized'}`;
        const r = throughputRun(c, optimized);
        if (r.violation) runViolations.push(`${name}: ${r.violation}`);
        figures[name] = `${r.throughput.toFixed(0)} updates/s`;
        detail[name] = r.throughput;
        progress(`${name}: ${r.throughput.toFixed(0)} updates/s${r.violation ? `, VIOLATION ${r.violation}` : ''}`);
      }
    return {
      measured: {
        'sim sweep': `${seeds} seeds over ${Object.keys(SEEDS).length} fault scenarios in ${(sweepMs / 1000).toFixed(1)} s`,
        ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [`${k} (sim, ${CLIENTS_PER_SITE} clients/site, 20 ms, paper costs)`, v])),
      },
      checked: {
        'sweep: local S1, S1, S2, BLink, CLink exactly-once, L1 on every seed': violation === null,
        'broken variant caught (binding)': brokenCaught,
        'throughput runs: every safety property on every record': runViolations.length === 0,
        'throughput runs: every composition executed updates': Object.values(detail).every((x) => x > 0),
      },
      detail: { seeds, violation, runViolations, throughput: detail },
    };
  },
};
