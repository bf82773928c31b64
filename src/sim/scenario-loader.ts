// Where scenarios come from: the built-in list, or a compiled module named on the command line
// (`--module dist/test/sim/broken-order.js`), which is how protocols that live in test/ are
// swept and replayed. A module may export `scenarios` (an array), a default export (one
// scenario or an array), or scenarios as named exports.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isScenario, validateScenario, type Scenario } from './scenario.js';

export async function loadBuiltinScenarios(): Promise<Scenario[]> {
  const { builtinScenarios } = await import('./builtin-scenarios.js');
  return checkedList(builtinScenarios, 'built-in scenarios');
}

export async function loadScenarioModule(file: string): Promise<Scenario[]> {
  const url = pathToFileURL(path.resolve(file)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error & { code?: string };
    throw Object.assign(new Error(`cannot load scenario module ${file}: ${err.message}`), { code: 'ERR_CASTELLAN_SIM_MODULE' });
  }
  const found: Scenario[] = [];
  const add = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(add);
    else if (isScenario(x) && !found.includes(x)) found.push(x);
  };
  add(mod.scenarios);
  add(mod.default);
  for (const key of Object.keys(mod).sort()) add(mod[key]);
  if (found.length === 0) {
    throw Object.assign(new Error(`${file} exports no scenario (export \`scenarios\`, a default, or named Scenario objects)`), { code: 'ERR_CASTELLAN_SIM_MODULE' });
  }
  return checkedList(found, file);
}

function checkedList(list: Scenario[], origin: string): Scenario[] {
  const seen = new Set<string>();
  for (const s of list) {
    validateScenario(s, origin);
    if (seen.has(s.name)) throw new Error(`${origin}: two scenarios are named "${s.name}"`);
    seen.add(s.name);
  }
  return list;
}
