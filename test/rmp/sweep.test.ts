// The §12 acceptance sweep: every RMP scenario over many seeds with loss, duplication,
// reordering, crashes, restarts, pauses, partitions that heal, joins and leaves; each run
// checks all of spec §12. A failure prints the seed and its replay command. Seed counts keep
// the whole file near a minute on this 2-core machine; `castellan sim SCENARIO --seeds N`
// runs bigger sweeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeViolation, sweep } from '../../src/sim/sweep.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { scenarios } from '../../src/rmp/sim-scenarios.js';

/** Seeds per scenario: 1,000+ in all (the randomized sweep takes the most). */
const SEEDS: Record<string, number> = {
  'rmp-sweep': 600,
  'rmp-lossy-lan': 80,
  'rmp-crash': 80,
  'rmp-partition-heal': 80,
  'rmp-minority-continues': 60,
  'rmp-multi-rpc': 60,
  'rmp-join-leave': 60,
  'rmp-forwarder': 200,
};

test('every RMP scenario is swept here', () => {
  assert.deepEqual(scenarios.map((s) => s.name).sort(), Object.keys(SEEDS).sort());
  assert.ok(Object.values(SEEDS).reduce((a, b) => a + b, 0) >= 1000);
});

for (const s of scenarios) {
  test(`${s.name}: ${SEEDS[s.name]} seeds keep every spec §12 property`, () => {
    const summary = sweep(s as Scenario, { seeds: SEEDS[s.name]! });
    assert.equal(summary.violation ? describeViolation(summary.violation) : null, null);
    assert.equal(summary.seedsRun, SEEDS[s.name]);
  });
}
