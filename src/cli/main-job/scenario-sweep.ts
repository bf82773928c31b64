// A main-job part's short simulator sweep: a few seeds of each of a protocol's scenarios,
// stopping at the first violation, and seed 0 of each deliberately broken variant
// (expectsViolation), which must be caught.
import { runSeed } from '../../sim/run-seed.js';
import type { Scenario } from '../../sim/scenario.js';

export interface ScenarioSweep {
  seeds: number;
  /** Simulator events over every seed run. */
  events: number;
  wallMs: number;
  /** "<scenario> seed <n>: <property>: <message>", or null when every property held. */
  violation: string | null;
  /** There was a deliberately broken variant among the scenarios, and every one had a property fail. */
  brokenCaught: boolean;
  /** One progress line saying all of the above. */
  summary: string;
}

export function sweepScenarios(scenarios: readonly Scenario[], seedsPerScenario: Readonly<Record<string, number>>): ScenarioSweep {
  const started = Date.now();
  let violation: string | null = null;
  let seeds = 0;
  let events = 0;
  for (const s of scenarios) {
    const n = seedsPerScenario[s.name];
    if (n === undefined || s.expectsViolation) continue;
    for (let seed = 0; seed < n && !violation; seed++, seeds++) {
      const r = runSeed(s, seed);
      events += r.steps;
      if (r.violation) violation = `${s.name} seed ${seed}: ${r.violation.property}: ${r.violation.message}`;
    }
  }
  const broken = scenarios.filter((s) => s.expectsViolation);
  const brokenCaught = broken.length > 0 && broken.every((s) => runSeed(s, 0).violation !== null);
  const wallMs = Date.now() - started;
  const brokenClause = broken.length > 0 ? `; broken variant ${brokenCaught ? 'caught' : 'NOT caught'}` : '';
  const summary = `sweep: ${seeds} seeds in ${wallMs} ms, ${violation ?? 'no violation'}${brokenClause}`;
  return { seeds, events, wallMs, violation, brokenCaught, summary };
}
