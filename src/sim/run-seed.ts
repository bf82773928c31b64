// One seed of one scenario: build the setup from the seed's build stream, run it, and say how
// to replay it from the command line.
import type { Scenario, Params } from './scenario.js';
import { changedParams } from './scenario.js';
import { Rng } from './prng.js';
import { RNG_STREAM, Simulator, type RunResult } from './simulator.js';

export interface RunSeedOptions {
  params?: Params;
  retainTrace?: boolean;
  /** The module file the scenario came from, for the replay command. */
  module?: string;
}

export function runSeed(scenario: Scenario, seed: number, options: RunSeedOptions = {}): RunResult {
  const params = options.params ?? scenario.params;
  const setup = scenario.build(new Rng(seed).fork(RNG_STREAM.build), params);
  return new Simulator(setup, { seed, retainTrace: options.retainTrace ?? false }).run();
}

/** `castellan sim --replay <seed> <scenario> [--module FILE] [--param k=v ...]` */
export function replayCommand(scenario: Scenario, seed: number, params: Params, module?: string): string {
  const parts = ['castellan', 'sim', '--replay', String(seed), scenario.name];
  if (module !== undefined) parts.push('--module', shellQuote(module));
  for (const p of changedParams(scenario, params)) parts.push('--param', shellQuote(p));
  return parts.join(' ');
}

function shellQuote(s: string): string {
  return /^[\w./=:,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
