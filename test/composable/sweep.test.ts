// Composable-architecture simulator sweeps (Lane 2008 Ch. 4; spec §11): local S1, S1, S2,
// order, CLink exactly-once, BLink integrity and in-order delivery, blacklisting and views on
// every record; L1 and BLink delivery at the end. Faults: lossy / duplicating / reordering
// WAN, crashes, restarts and pauses of ≤ f servers per LM, f Byzantine servers per BFT LM
// (silent, equivocating, garbage, replay, bad partials, an equivocating local leader), a
// healing partition of one site, F faulty sites (a crashed site under Paxos, a silent or
// equivocating LM under BFT). Seeds run on two worker threads (2 cores). Bigger sweeps:
// `castellan sim composable-sweep --seeds N [--param composition=BFT/BFT]`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import type { Params, Scenario } from '../../src/sim/scenario.js';
import { describeViolation, type SweepSummary } from '../../src/sim/sweep.js';
import { runSeed } from '../../src/sim/run-seed.js';
import { brokenScenario } from '../../src/composable/sim-scenarios.js';

/** Seeds per scenario in CI: 120 in all, ~1.5 minutes on two busy cores (per seed 0.5–2 s). */
const SEEDS: Array<[scenario: string, seeds: number, params?: Params]> = [
  ['composable-sweep', 80],
  ['composable-sweep', 12, { composition: 'BFT/BFT' }],
  ['composable-local-leader-crash', 8],
  ['composable-leader-site-partition', 4],
  ['composable-byzantine-site', 4],
  ['composable-bad-links', 4],
  ['composable-equivocating-leader', 8],
];
const THREADS = 2;

function share(scenario: string, seeds: number, startSeed: number, params?: Params): Promise<SweepSummary> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./sweep-worker.js', import.meta.url), { workerData: { scenario, seeds, startSeed, params } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

for (const [scenario, seeds, params] of SEEDS) {
  const label = params ? `${scenario} (${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ')})` : scenario;
  test(`${label}: ${seeds} seeds, every property holds`, async () => {
    const per = Math.ceil(seeds / THREADS);
    const parts = await Promise.all(Array.from({ length: THREADS }, (_, i) => share(scenario, Math.min(per, seeds - i * per), i * per, params)));
    for (const p of parts) if (p.violation) assert.fail(describeViolation(p.violation));
    assert.equal(parts.reduce((n, p) => n + p.seedsRun, 0), seeds);
  });
}

test('the deliberately broken variant (each update bound to two wide-area seqs) is caught by the binding check', () => {
  assert.equal(brokenScenario.expectsViolation, true);
  const r = runSeed(brokenScenario as unknown as Scenario, 0);
  assert.ok(r.violation, 'the broken variant passed every checker');
  assert.match(r.violation.message, /^binding: update \(client \d+, ts \d+\) ordered at seqs \d+ and \d+/);
});
