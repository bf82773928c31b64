// When a server's state may be judged from the trace: a core's effects are recorded after the
// event that caused them, and one step may pass through states an invariant forbids (it
// announces a new view before stopping a timer, drops old entries before adopting a union).
// So checkers that follow a server's state judge it when its step is over: at the next record
// that starts a step anywhere (an event handed to a core, or the fault plan acting), and once
// at the end of the run.
import type { TraceKind, TraceRecord } from '../sim/trace.js';

const STEP_STARTS = new Set<TraceKind>(['start', 'receive', 'memory', 'timer', 'request', 'suspect', 'crypto-result', 'crash', 'pause', 'byzantine']);

export const startsStep = (r: TraceRecord): boolean => STEP_STARTS.has(r.kind);
