// The checkers catch what they claim to: sweeps of deliberately broken members report the
// broken rule's property within a few seeds, and the reported seed replays to the same failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sweep } from '../../src/sim/sweep.js';
import { runSeed } from '../../src/sim/run-seed.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { eagerTokenScenario, impatientScenario } from './weakened-variants.js';

/** Enough seeds that a 15%-loss run misses a packet at a token handover many times over. */
const SEEDS = 40;

for (const [scenario, expected] of [
  [eagerTokenScenario, ['rmp-acceptance-rule']],
  [impatientScenario, ['rmp-safe', 'rmp-k-resilience', 'rmp-majority']],
] as const) {
  test(`${scenario.name} is caught (${expected.join(' or ')})`, () => {
    const summary = sweep(scenario as unknown as Scenario, { seeds: SEEDS, module: 'dist/test/rmp/weakened-variants.js' });
    assert.ok(summary.violation, `no violation in ${SEEDS} seeds`);
    assert.ok((expected as readonly string[]).includes(summary.violation.property), `caught as ${summary.violation.property}: ${summary.violation.message}`);
    assert.equal(summary.violation.replay, `castellan sim --replay ${summary.violation.seed} ${scenario.name} --module dist/test/rmp/weakened-variants.js`);
    const again = runSeed(scenario as unknown as Scenario, summary.violation.seed);
    assert.equal(again.violation?.property, summary.violation.property);
    assert.equal(again.violation?.step, summary.violation.step);
  });
}
