// I9's timer half (Inv. 3.6.3/3.6.4, Fig. 3.16): Local_T runs only while lv = lpv and Global_T
// only while gv = gpv (a timeout moves the view one past the preinstalled one with its timer
// stopped; preinstalling restarts it). Which timers run is read from the simulator's own
// set-timer / cancel-timer / timer records, not from what the core says about itself, and
// the views from its view records. The converse ("runs whenever equal") is relaxed by D6:
// timers run only while the server has something to wait for, so it is not checked.
// A server is judged when its step is over (step-boundaries.ts): one step may announce its new
// view before it stops the timer.
import type { NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import { OUT } from './outputs.js';
import { TIMER } from './server-context.js';
import { judgedAtStepEnds } from './step-boundaries.js';

interface ServerTimers {
  local: boolean;
  global: boolean;
  gv: number;
  gpv: number;
  lv: number;
  lpv: number;
}

const fresh = (): ServerTimers => ({ local: false, global: false, gv: 0, gpv: 0, lv: 0, lpv: 0 });

export function viewTimersProperty(): Property {
  const servers = new Map<NodeId, ServerTimers>();
  const changed = new Set<NodeId>();

  const checkChanged = (v: RunView): string | null => {
    for (const node of changed) {
      const s = servers.get(node)!;
      if (v.byzantine(node)) continue;
      if (s.local && s.lv !== s.lpv) return `I9: server ${node}'s Local_T runs in local view ${s.lv}, preinstalled ${s.lpv}`;
      if (s.global && s.gv !== s.gpv) return `I9: server ${node}'s Global_T runs in global view ${s.gv}, preinstalled ${s.gpv}`;
    }
    changed.clear();
    return null;
  };

  const which = (timer: string | undefined): 'local' | 'global' | null => (timer === TIMER.local ? 'local' : timer === TIMER.global ? 'global' : null);

  return judgedAtStepEnds('steward.I9-timers', (r) => {
    let s = servers.get(r.node);
    if (r.kind === 'start' || !s) servers.set(r.node, (s = fresh())); // a restart loses timers and views
    if (r.kind === 'set-timer' || r.kind === 'cancel-timer' || r.kind === 'timer') {
      const w = which(r.name);
      if (w === null) return;
      s[w] = r.kind === 'set-timer';
    } else if (r.kind === 'output' && r.name === OUT.view) {
      const d = r.data as Record<string, number>;
      s.gv = d.gv!;
      s.gpv = d.gpv!;
      s.lv = d.lv!;
      s.lpv = d.lpv!;
    } else return;
    changed.add(r.node);
  }, checkChanged);
}
