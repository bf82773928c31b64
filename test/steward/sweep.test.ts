// Steward simulator sweeps (spec §10): S1, S2, I3–I14 on every record and L1 at the end, over
// ≥ 1,000 seeds in all, with loss, reordering, duplication, crashes and restarts, f Byzantine
// servers per site (silent, equivocating, garbage, replay, bad partial signatures), a leader
// rep that signs conflicting Pre-Prepares, a mute rep, the leader site partitioned away and
// partitions that heal. The deliberately broken variant must be caught. Seeds run on two
// worker threads (2 cores). Bigger sweeps:
// `castellan sim steward-sweep --seeds N`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describeViolation, type SweepSummary } from '../../src/sim/sweep.js';
import { runSeed } from '../../src/sim/run-seed.js';
import { brokenScenario } from '../../src/steward/sim-scenarios.js';
import type { Scenario } from '../../src/sim/scenario.js';

/** Seeds per scenario in CI: 1,000 in total, 1.5–3 minutes on two cores depending on load. */
const SEEDS: Record<string, number> = {
  'steward-sweep': 400,
  'steward-bad-partials': 350,
  'steward-equivocating-rep': 50,
  'steward-mute-rep': 150,
  'steward-leader-partition': 50,
};
const THREADS = 2;

function half(scenario: string, seeds: number, startSeed: number): Promise<SweepSummary> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./sweep-worker.js', import.meta.url), { workerData: { scenario, seeds, startSeed } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

for (const [scenario, seeds] of Object.entries(SEEDS)) {
  test(`${scenario}: ${seeds} seeds, every property holds`, async () => {
    const per = Math.ceil(seeds / THREADS);
    const parts = await Promise.all(Array.from({ length: THREADS }, (_, i) => half(scenario, Math.min(per, seeds - i * per), i * per)));
    for (const p of parts) if (p.violation) assert.fail(describeViolation(p.violation));
    assert.equal(parts.reduce((n, p) => n + p.seedsRun, 0), seeds);
  });
}

test('the deliberately broken variant (each update bound to two seqs) is caught by I4', () => {
  const r = runSeed(brokenScenario as unknown as Scenario, 0);
  assert.ok(r.violation, 'the broken variant passed every checker');
  assert.match(r.violation.message, /^I4: update .* ordered at seqs \d+ and \d+/);
});
