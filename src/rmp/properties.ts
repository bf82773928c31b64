// The checkable properties of spec §12 over RMP's `output` records, as simulator Properties
// and as one check over the merged logs of real processes. A tracker (property-tracker.ts)
// follows the run; the families check it: check-order.ts (exactly once, source order, total
// order, virtual synchrony, agreed), check-resilience.ts (K, majority, safe),
// check-token.ts (acceptance rule, token uniqueness), check-multi-rpc.ts (handler locks,
// replies), check-liveness.ts (buffer bound, no loss, empty buffers at the end).
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { checkNoLoss, checkQuiescent } from './check-liveness.js';
import { checkReplies } from './check-multi-rpc.js';
import { checkAgreed, checkSourceGaps, checkTotalOrder, checkVirtualSynchrony } from './check-order.js';
import { RmpTracker, type CheckOptions, type OutputRecord } from './property-tracker.js';

export type { CheckOptions, OutputRecord } from './property-tracker.js';

/** Every spec §12 property name, in the order they are checked. */
export const RMP_PROPERTY_NAMES = [
  'rmp-internal-invariants',
  'rmp-acceptance-rule',
  'rmp-token-uniqueness',
  'rmp-exactly-once',
  'rmp-source-order',
  'rmp-total-order',
  'rmp-virtual-synchrony',
  'rmp-k-resilience',
  'rmp-safe',
  'rmp-majority',
  'rmp-agreed-across-partitions',
  'rmp-handler-locks',
  'rmp-buffer-bound',
  'rmp-no-loss',
] as const;

export interface PropertyOptions {
  retransBufferMaxBytes: number;
  expectReplies: boolean;
  /** The scenario lets the run go quiet before it ends (liveness checks apply). */
  quiescent: boolean;
  converge: boolean;
}

/** The §12 properties as simulator Properties sharing one tracker per run. */
export function rmpProperties(o: PropertyOptions): Property[] {
  const tracker = new RmpTracker(o.retransBufferMaxBytes);
  const feed = (r: TraceRecord): void => {
    if (r.kind === 'output') tracker.ingest(r as OutputRecord);
  };
  const opts = (v: RunView): CheckOptions => ({ faulty: (n) => v.faulty(n), retransBufferMaxBytes: o.retransBufferMaxBytes, expectReplies: o.expectReplies, quiescent: o.quiescent, converge: o.converge });
  const incremental = (name: string): Property => ({
    name,
    onRecord: (r) => {
      feed(r);
      return tracker.incremental.get(name) ?? null;
    },
  });
  const atEnd = (name: string, check: (v: RunView) => string | null): Property => ({ name, onRecord: (r) => (feed(r), null), check });
  return [
    incremental('rmp-internal-invariants'),
    incremental('rmp-acceptance-rule'),
    incremental('rmp-token-uniqueness'),
    incremental('rmp-exactly-once'),
    { ...incremental('rmp-source-order'), check: () => checkSourceGaps(tracker) },
    { ...incremental('rmp-total-order'), check: () => checkTotalOrder(tracker) },
    atEnd('rmp-virtual-synchrony', () => checkVirtualSynchrony(tracker)),
    incremental('rmp-k-resilience'),
    incremental('rmp-safe'),
    incremental('rmp-majority'),
    atEnd('rmp-agreed-across-partitions', () => checkAgreed(tracker)),
    { ...incremental('rmp-handler-locks'), check: (v) => checkReplies(tracker, opts(v)) },
    { ...incremental('rmp-buffer-bound'), check: (v) => checkQuiescent(tracker, opts(v)) },
    atEnd('rmp-no-loss', (v) => checkNoLoss(tracker, opts(v))),
  ];
}

/** Runs every check over merged output logs of real processes; the first failure, or null. */
export function checkRmpLogs(records: readonly OutputRecord[], opts: CheckOptions): { property: string; message: string } | null {
  const t = new RmpTracker(opts.retransBufferMaxBytes);
  for (const r of records) t.ingest(r);
  for (const name of RMP_PROPERTY_NAMES) {
    const m = t.incremental.get(name);
    if (m !== undefined) return { property: name, message: m };
  }
  const end: [string, string | null][] = [
    ['rmp-source-order', checkSourceGaps(t)],
    ['rmp-total-order', checkTotalOrder(t)],
    ['rmp-virtual-synchrony', checkVirtualSynchrony(t)],
    ['rmp-agreed-across-partitions', checkAgreed(t)],
    ['rmp-handler-locks', checkReplies(t, opts)],
    ['rmp-buffer-bound', checkQuiescent(t, opts)],
    ['rmp-no-loss', checkNoLoss(t, opts)],
  ];
  for (const [property, message] of end) if (message !== null) return { property, message };
  return null;
}
