// `castellan sim`: sweep, replay and list deterministic simulator scenarios (src/sim).
import { writeFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { loadBuiltinScenarios, loadScenarioModule } from '../../sim/scenario-loader.js';
import { parseParams, type Scenario } from '../../sim/scenario.js';
import { replayCommand, runSeed } from '../../sim/run-seed.js';
import { describeViolation, sweep, type SweepSummary, type SweepViolation } from '../../sim/sweep.js';

/** Enough seeds to shake out common interleavings in seconds; CI sweeps pass --seeds. */
const DEFAULT_SWEEP_SEEDS = 100;
/** Per scenario when `castellan sim` sweeps every built-in one: the whole tour stays short. */
const DEFAULT_TOUR_SEEDS = 20;

const usage = `usage: castellan sim [SCENARIO] [--seeds N] [--start-seed S] [--module FILE] [--param K=V ...] [--json]
       castellan sim --replay SEED SCENARIO [--module FILE] [--param K=V ...] [--trace FILE] [--json]
       castellan sim --list [--module FILE] [--json]

Runs protocol cores under the deterministic simulator: a sweep runs seeds S..S+N-1 of a
scenario, checking its properties, and stops at the first violation, printing the command
that replays it. Progress goes to stderr; the summary to stdout. Without SCENARIO, sweeps
every built-in scenario in turn (--seeds each, default ${DEFAULT_TOUR_SEEDS}).

  SCENARIO        a built-in scenario, or one exported by --module
  --seeds N       number of seeds to run (default ${DEFAULT_SWEEP_SEEDS}; ${DEFAULT_TOUR_SEEDS} each without SCENARIO)
  --start-seed S  first seed (default 0)
  --module FILE   also load scenarios exported by this compiled ES module
                  (e.g. dist/test/sim/broken-order.js)
  --param K=V     override a scenario parameter (repeatable; --list shows them)
  --replay SEED   run one seed keeping the full trace; print its violation, if any
  --trace FILE    with --replay: write the trace to FILE as canonical JSON lines
  --list          list scenarios and their parameters
  --json          print the result as one JSON object on stdout

Exit status: 0 every property held, 1 a property was violated, 2 usage error.
`;

function nonNegativeInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} expects a non-negative integer, got "${raw}"`);
  return n;
}

function listing(scenarios: Scenario[]): string {
  if (scenarios.length === 0) {
    return 'no scenarios are registered yet: protocols add theirs to src/sim/builtin-scenarios.ts;\nload others with --module FILE (a compiled module exporting scenarios)';
  }
  const lines = ['scenarios:'];
  for (const s of scenarios) {
    lines.push(`  ${s.name}  ${s.description}${s.expectsViolation ? ' [expects a violation]' : ''}`);
    const params = Object.entries(s.params).map(([k, v]) => `${k}=${String(v)}`);
    if (params.length) lines.push(`      params: ${params.join(' ')}`);
  }
  return lines.join('\n');
}

export const simCommand = {
  name: 'sim',
  summary: 'sweep or replay seeded simulations of protocol cores, checking their properties',
  usage,
  async run(argv: string[]): Promise<number> {
    const { values, positionals } = parseFlags(argv, {
      allowPositionals: true,
      options: {
        seeds: { type: 'string' },
        'start-seed': { type: 'string' },
        module: { type: 'string' },
        param: { type: 'string', multiple: true },
        replay: { type: 'string' },
        trace: { type: 'string' },
        list: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length > 1) throw new UsageError(`one scenario at a time, got ${positionals.join(' ')}`);
    if (values.trace !== undefined && values.replay === undefined) throw new UsageError('--trace needs --replay SEED');
    const module = values.module;
    const scenarios = [...(await loadBuiltinScenarios())];
    for (const s of module !== undefined ? await loadScenarioModule(module) : []) {
      if (scenarios.some((b) => b.name === s.name)) throw new UsageError(`${module} defines "${s.name}", which is already a built-in scenario`);
      scenarios.push(s);
    }
    const name = positionals[0];
    if (values.replay !== undefined && name === undefined) throw new UsageError('--replay SEED needs a SCENARIO');
    if (values.list) {
      if (values.json) process.stdout.write(JSON.stringify({ scenarios: scenarios.map(({ name: n, description, params, expectsViolation }) => ({ name: n, description, params, expectsViolation: expectsViolation === true })) }) + '\n');
      else process.stdout.write(listing(scenarios) + '\n');
      return 0;
    }
    if (name === undefined) {
      if ((values.param ?? []).length > 0) throw new UsageError('--param needs a SCENARIO (parameters differ between scenarios)');
      const seeds = nonNegativeInt('--seeds', values.seeds, DEFAULT_TOUR_SEEDS);
      if (seeds === 0) throw new UsageError('--seeds must be at least 1');
      return tour(scenarios, seeds, nonNegativeInt('--start-seed', values['start-seed'], 0), module, values.json === true);
    }
    const scenario = scenarios.find((s) => s.name === name);
    if (!scenario) throw new UsageError(`no scenario "${name}"\n${listing(scenarios)}`);
    let params;
    try {
      params = parseParams(scenario, values.param ?? []);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }

    if (values.replay !== undefined) {
      const seed = nonNegativeInt('--replay', values.replay, 0);
      const started = Date.now();
      const result = runSeed(scenario, seed, { params, retainTrace: true });
      if (values.trace !== undefined) writeFileSync(values.trace, result.trace.toJsonLines());
      const violation: SweepViolation | null = result.violation && { ...result.violation, scenario: scenario.name, replay: replayCommand(scenario, seed, params, module) };
      if (values.json) {
        const { trace: _t, ...rest } = result;
        process.stdout.write(JSON.stringify({ scenario: scenario.name, params, ...rest, violation, wallMs: Date.now() - started }) + '\n');
      } else {
        const out = [
          `replayed ${scenario.name} seed ${seed}: ${result.steps} events, ${result.records} trace records, ended (${result.ended}) at t=${result.endUs} µs, trace hash ${result.traceHash}`,
        ];
        if (values.trace !== undefined) out.push(`trace written to ${values.trace}`);
        out.push(violation ? describeViolation(violation) : 'every property held');
        process.stdout.write(out.join('\n') + '\n');
      }
      return violation ? 1 : 0;
    }

    const seeds = nonNegativeInt('--seeds', values.seeds, DEFAULT_SWEEP_SEEDS);
    if (seeds === 0) throw new UsageError('--seeds must be at least 1');
    const summary = sweep(scenario, {
      seeds,
      startSeed: nonNegativeInt('--start-seed', values['start-seed'], 0),
      params,
      module,
      progress: process.stderr,
    });
    if (values.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else process.stdout.write([summaryLine(summary), summary.violation ? describeViolation(summary.violation) : 'every property held'].join('\n') + '\n');
    return summary.violation ? 1 : 0;
  },
} satisfies Command;

function summaryLine(s: SweepSummary): string {
  const last = s.startSeed + s.seedsRun - 1;
  return `${s.scenario}: ${s.seedsRun} of ${s.seedsRequested} seeds run (${s.startSeed}..${last}), ${s.events} events, ${(s.virtualUs / 1e6).toFixed(3)} s virtual, ${(s.wallMs / 1000).toFixed(2)} s wall`;
}

/**
 * `castellan sim` alone: every scenario with its default parameters, stopping at the first
 * failure. A deliberately broken variant (expectsViolation) fails when its checker stays
 * silent, so the tour also proves the checkers bite.
 */
function tour(scenarios: Scenario[], seeds: number, startSeed: number, module: string | undefined, json: boolean): number {
  if (scenarios.length === 0) {
    process.stdout.write(listing(scenarios) + '\n');
    return 0;
  }
  const summaries: SweepSummary[] = [];
  let failure: string | null = null;
  let violation: SweepViolation | null = null;
  for (const scenario of scenarios) {
    const summary = sweep(scenario, { seeds, startSeed, params: scenario.params, module, progress: process.stderr });
    summaries.push(summary);
    if (scenario.expectsViolation) {
      if (!json) process.stdout.write(`${summaryLine(summary)}; deliberately broken: ${summary.violation ? `caught by ${summary.violation.property}` : 'NOT caught'}\n`);
      if (!summary.violation) {
        failure = `${scenario.name} is deliberately broken, yet every property held in ${summary.seedsRun} seeds: its checker no longer catches it`;
        break;
      }
      continue;
    }
    if (!json) process.stdout.write(summaryLine(summary) + '\n');
    if (summary.violation) {
      violation = summary.violation;
      failure = describeViolation(violation);
      break;
    }
  }
  if (json) process.stdout.write(JSON.stringify({ sweeps: summaries, violation, failure }) + '\n');
  else process.stdout.write((failure ?? `every property held in ${summaries.length} scenarios; deliberately broken variants were caught`) + '\n');
  return failure ? 1 : 0;
}
