// The sweep runner: N consecutive seeds of one scenario, stopping at the first violation
// (DESIGN principle 3: thousands of seeded runs; a failure prints its seed and replays).
import type { TimeUs } from './core.js';
import { Progress, type ProgressSink } from './progress.js';
import type { Violation } from './property.js';
import { replayCommand, runSeed } from './run-seed.js';
import type { Params, Scenario } from './scenario.js';

export interface SweepOptions {
  seeds: number;
  startSeed?: number;
  params?: Params;
  /** The module file the scenario came from (goes into the replay command). */
  module?: string;
  /** Where progress goes (usually process.stderr); none when omitted. */
  progress?: ProgressSink;
}

export interface SweepViolation extends Violation {
  scenario: string;
  replay: string;
}

export interface SweepSummary {
  scenario: string;
  params: Params;
  startSeed: number;
  seedsRequested: number;
  seedsRun: number;
  /** Events processed over all runs. */
  events: number;
  virtualUs: TimeUs;
  wallMs: number;
  violation: SweepViolation | null;
}

export function sweep(scenario: Scenario, options: SweepOptions): SweepSummary {
  const startSeed = options.startSeed ?? 0;
  const params = options.params ?? scenario.params;
  if (!Number.isSafeInteger(options.seeds) || options.seeds < 1) throw new RangeError(`seeds must be a positive integer, got ${options.seeds}`);
  if (!Number.isSafeInteger(startSeed) || startSeed < 0) throw new RangeError(`start seed must be a non-negative integer, got ${startSeed}`);
  const progress = options.progress ? new Progress(options.progress, scenario.name, options.seeds) : null;
  const started = Date.now();
  const summary: SweepSummary = { scenario: scenario.name, params, startSeed, seedsRequested: options.seeds, seedsRun: 0, events: 0, virtualUs: 0, wallMs: 0, violation: null };
  for (let i = 0; i < options.seeds; i++) {
    const seed = startSeed + i;
    const result = runSeed(scenario, seed, { params });
    summary.seedsRun++;
    summary.events += result.steps;
    summary.virtualUs += result.endUs;
    if (result.violation) {
      summary.violation = { ...result.violation, scenario: scenario.name, replay: replayCommand(scenario, seed, params, options.module) };
    }
    progress?.update(summary.seedsRun, summary.events, summary.violation ? 1 : 0);
    if (summary.violation) break;
  }
  progress?.finish(summary.seedsRun, summary.events, summary.violation ? 1 : 0);
  summary.wallMs = Date.now() - started;
  return summary;
}

/** A violation as people read it: what broke, where, and the command that replays it. */
export function describeViolation(v: SweepViolation): string {
  return [
    `VIOLATION of "${v.property}" in scenario ${v.scenario}, seed ${v.seed}, step ${v.step}, t=${v.timeUs} µs:`,
    `  ${v.message}`,
    `replay: ${v.replay}`,
  ].join('\n');
}
