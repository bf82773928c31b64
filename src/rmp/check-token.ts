// Token checks (spec §12.9–12.10), as each acceptance is reported: at most one process
// accepts a given pass of a view, and none accepts while it holds less than the ACK covers.
import type { TokenRecord } from './outputs.js';
import type { RmpTracker } from './property-tracker.js';

export function tokenAtAcceptance(t: RmpTracker, a: TokenRecord): void {
  const key = `${a.view}/${a.pass}`;
  const other = t.tokens.get(key);
  if (other !== undefined && other !== a.pid) t.flag('rmp-token-uniqueness', `processes ${other} and ${a.pid} both accepted the token of pass ${a.pass} in view ${a.view}`);
  t.tokens.set(key, a.pid);
  const p = t.processes.get(a.pid);
  if (p !== undefined && p.haveTo < a.upTo)
    t.flag('rmp-acceptance-rule', `process ${a.pid} accepted the token of pass ${a.pass} in view ${a.view} covering up to ts ${a.upTo} while holding only up to ts ${p.haveTo} (missing ts ${p.haveTo + 1})`);
}
