// The checkers catch what they claim to: sweeps of deliberately broken members report the
// broken rule's property within a few seeds, and the reported seed replays to the same failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sweep } from '../../src/sim/sweep.js';
import { Rng } from '../../src/sim/prng.js';
import { RNG_STREAM, Simulator } from '../../src/sim/simulator.js';
import { runSeed } from '../../src/sim/run-seed.js';
import type { Scenario } from '../../src/sim/scenario.js';
import { directReplyScenario, eagerTokenScenario, impatientScenario } from './weakened-variants.js';

/** Enough seeds that a 15%-loss run misses a packet at a token handover many times over. */
const SEEDS = 40;

for (const [scenario, expected] of [
  [eagerTokenScenario, ['rmp-acceptance-rule']],
  [impatientScenario, ['rmp-safe', 'rmp-k-resilience', 'rmp-majority']],
  [directReplyScenario, ['rmp-handler-locks']],
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

test('the eager-token variant also breaks what applications see, with the acceptance-rule checker switched off', () => {
  const userFacing = new Set(['rmp-safe', 'rmp-k-resilience', 'rmp-majority', 'rmp-exactly-once', 'rmp-total-order', 'rmp-virtual-synchrony', 'rmp-no-loss', 'rmp-internal-invariants']);
  const caught = new Set<string>();
  for (let seed = 0; seed < SEEDS; seed++) {
    const setup = eagerTokenScenario.build(new Rng(seed).fork(RNG_STREAM.build), eagerTokenScenario.params);
    setup.properties = setup.properties!.filter((p) => p.name !== 'rmp-acceptance-rule');
    const v = new Simulator(setup, { seed }).run().violation;
    if (v !== null) caught.add(v.property);
  }
  assert.ok([...caught].some((p) => userFacing.has(p)), `caught only ${[...caught].join(', ') || 'nothing'}`);
});
