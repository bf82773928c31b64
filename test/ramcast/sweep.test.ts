// The acceptance sweep (issue 5): 1,000 seeds over 1–8 groups with crashes of leaders,
// followers (one per group of three: a minority) and clients, jittered writes that reorder
// across links, and paused leaders that come back deposed and keep writing. Each run checks
// uniform integrity, validity, uniform agreement, uniform prefix order and uniform acyclic
// order (spec §9) at quiescence. A failure prints the seed and its replay command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeViolation, sweep } from '../../src/sim/sweep.js';
import { sweepScenario } from '../../src/ramcast/sim-scenarios.js';
import type { Scenario } from '../../src/sim/scenario.js';

/** About 30 ms per seed on this machine: the sweep stays well inside a minute. */
const SEEDS = 1000;

test(`ramcast-sweep: ${SEEDS} seeds keep every §9 property`, () => {
  const summary = sweep(sweepScenario as unknown as Scenario, { seeds: SEEDS });
  assert.equal(summary.violation ? describeViolation(summary.violation) : null, null);
  assert.equal(summary.seedsRun, SEEDS);
});

test('ramcast-sweep without faults also holds on a second seed range, larger messages per run', () => {
  const summary = sweep(sweepScenario as unknown as Scenario, { seeds: 100, startSeed: 50_000, params: { ...sweepScenario.params, faults: false, messages: 12 } });
  assert.equal(summary.violation ? describeViolation(summary.violation) : null, null);
});
