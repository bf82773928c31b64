// When a server's state may be judged from the trace: a core's effects are recorded after the
// event that caused them, and one step may pass through states an invariant forbids (it
// announces a new view before stopping a timer, drops old entries before adopting a union).
// So checkers that follow a server's state judge it when its step is over: at the next record
// that starts a step anywhere (an event handed to a core, or the fault plan acting), and once
// at the end of the run.
import type { Property, RunView } from '../sim/property.js';
import type { TraceKind, TraceRecord } from '../sim/trace.js';

const STEP_STARTS = new Set<TraceKind>(['start', 'receive', 'memory', 'timer', 'request', 'suspect', 'crypto-result', 'crash', 'pause', 'byzantine']);

const startsStep = (r: TraceRecord): boolean => STEP_STARTS.has(r.kind);

/**
 * A property that follows servers' state through every record (`follow`) and judges it
 * (`judge`: a violation or null) at each step boundary and once at the end of the run.
 */
export function judgedAtStepEnds(name: string, follow: (r: TraceRecord, v: RunView) => void, judge: (v: RunView) => string | null): Property {
  return {
    name,
    onRecord(r, v) {
      if (startsStep(r)) {
        const m = judge(v);
        if (m !== null) return m;
      }
      follow(r, v);
      return null;
    },
    check: judge,
  };
}
