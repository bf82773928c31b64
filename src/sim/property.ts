// The checker API (DESIGN principle 3): a safety or liveness property of a run, checked
// incrementally on every trace record and/or once at the end. A property returns a short
// violation message, or null when it holds.
import type { NodeId, TimeUs } from './core.js';
import type { Trace, TraceRecord } from './trace.js';

export type NodeStatus = 'up' | 'paused' | 'down';

/** Why a run ended; null while it runs. */
export type RunEnd = 'idle' | 'limit' | 'stop' | 'max-events' | 'violation';

/** What a property sees of a run. */
export interface RunView {
  readonly seed: number;
  readonly nowUs: TimeUs;
  readonly nodeCount: number;
  /** Events processed so far. */
  readonly steps: number;
  /** `trace.outputs` always; `trace.records` only when the trace is retained. */
  readonly trace: Trace;
  readonly ended: RunEnd | null;
  status(node: NodeId): NodeStatus;
  /** True once the node has crashed, been paused or turned Byzantine: not "correct" (§ of each paper). */
  faulty(node: NodeId): boolean;
  /** True once the node has been turned Byzantine. */
  byzantine(node: NodeId): boolean;
}

export interface Property {
  name: string;
  /** Checked after every trace record; stops the run at the first violation. */
  onRecord?(record: TraceRecord, view: RunView): string | null;
  /** Checked once when the run ends. */
  check?(view: RunView): string | null;
  /** Set when `check` reads `view.trace.records`: forces full trace retention in sweeps. */
  needsFullTrace?: boolean;
}

export interface Violation {
  property: string;
  message: string;
  seed: number;
  /** Events processed when it was detected (the same on replay). */
  step: number;
  timeUs: TimeUs;
}
