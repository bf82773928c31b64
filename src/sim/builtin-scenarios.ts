// The built-in scenarios `castellan sim` knows. Adding a protocol's scenarios is one line:
//   ...(await import('../<protocol>/sim-scenarios.js')).scenarios,
// where that module exports `scenarios: Scenario[]` (type-checked through the import).
import type { Scenario } from './scenario.js';

export const builtinScenarios: Scenario[] = [
  ...(await import('../ramcast/sim-scenarios.js')).scenarios,
  ...(await import('../rmp/sim-scenarios.js')).scenarios,
  ...(await import('../steward/sim-scenarios.js')).scenarios,
  ...(await import('../composable/sim-scenarios.js')).scenarios,
];
