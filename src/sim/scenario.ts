// A named, parameterised simulation: `build` turns (rng, params) into a SimSetup, so a run is
// a function of (seed, scenario, params). Built-in scenarios are listed in
// builtin-scenarios.ts; others load from a compiled module (`castellan sim --module FILE`).
import type { Rng } from './prng.js';
import type { SimSetup } from './setup.js';

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

export interface Scenario<P extends Params = Params> {
  /** Lowercase words joined by dashes, e.g. "ramcast-crash-leader". */
  name: string;
  /** One line for `castellan sim --list`. */
  description: string;
  /** Every parameter with its default; `--param k=v` may override only these, with the same type. */
  params: P;
  /**
   * Set on a deliberately broken variant that exists to show a checker catches it: the tour
   * of every built-in scenario counts it as passing when some property fails, and as failing
   * when every property holds.
   */
  expectsViolation?: true;
  build(rng: Rng, params: P): SimSetup;
}

const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]*$/;

export function isScenario(x: unknown): x is Scenario {
  const s = x as Scenario | null;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.build === 'function' && typeof s.description === 'string' && typeof s.params === 'object' && s.params !== null;
}

export function validateScenario(s: Scenario, origin: string): void {
  if (!SCENARIO_NAME.test(s.name)) throw new Error(`${origin}: scenario name "${s.name}" must be lowercase letters, digits and dashes`);
  for (const [k, v] of Object.entries(s.params)) {
    if (!['number', 'string', 'boolean'].includes(typeof v)) throw new Error(`${origin}: scenario "${s.name}" parameter "${k}" must default to a number, string or boolean`);
  }
}

/** Apply `k=v` overrides to a scenario's defaults, typed by each default's type. */
export function parseParams(scenario: Scenario, overrides: readonly string[]): Params {
  const params: Params = { ...scenario.params };
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new Error(`--param expects key=value, got "${o}"`);
    const key = o.slice(0, eq);
    const raw = o.slice(eq + 1);
    const def = scenario.params[key];
    if (def === undefined) {
      const known = Object.keys(scenario.params);
      throw new Error(`scenario "${scenario.name}" has no parameter "${key}" (${known.length ? `known: ${known.join(', ')}` : 'it takes none'})`);
    }
    if (typeof def === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`parameter "${key}" must be a number, got "${raw}"`);
      params[key] = n;
    } else if (typeof def === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new Error(`parameter "${key}" must be true or false, got "${raw}"`);
      params[key] = raw === 'true';
    } else {
      params[key] = raw;
    }
  }
  return params;
}

/** The overrides that differ from the defaults, as `k=v` strings in the defaults' key order. */
export function changedParams(scenario: Scenario, params: Params): string[] {
  return Object.keys(scenario.params)
    .filter((k) => params[k] !== scenario.params[k])
    .map((k) => `${k}=${String(params[k])}`);
}
