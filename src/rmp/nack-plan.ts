// What a member asks for in one NACK round (spec §5.5, decisions.md D5), as a pure function
// of what it holds: timestamps with no known entry (order wants, to the likely holder), data
// missing for ordered entries (to the likely holder, which holds everything below its ACK),
// and gaps in a source's sequence numbers (to the source, which keeps its packets until stable).
import { NACK_WANTS_MAX } from './limits.js';
import type { OrderLog } from './order-log.js';
import { NackKind, type NackWant } from './packets.js';
import type { Pid } from './pid.js';
import type { SourceStream } from './source-stream.js';

/** Timestamps scanned per round beyond what is held: bounds the work of one round. */
const NACK_SCAN_TS_MAX = 4096;

export interface NackPlan {
  toHolder: NackWant[];
  bySource: Map<Pid, NackWant[]>;
}

/** The first run of missing sequence numbers below the highest one seen, if any. */
export function sourceGap(s: SourceStream): [number, number] | null {
  let a = Math.max(s.orderedTo, s.chainTo, s.releasedTo) + 1;
  while (a < s.maxSeen && s.data.has(a)) a++;
  if (a >= s.maxSeen) return null;
  let b = a;
  while (b + 1 < s.maxSeen && !s.data.has(b + 1)) b++;
  return [a, b];
}

/** Anything to NACK at all: cheap enough to ask after every event. */
export function missingSomething(log: OrderLog, sources: Iterable<SourceStream>, haveTo: number): boolean {
  if (haveTo < Math.max(log.maxTs, log.hintTs)) return true;
  for (const s of sources) if (s.maxSeen > Math.max(s.orderedTo, s.chainTo) && !log.removed.has(s.src) && sourceGap(s) !== null) return true;
  return false;
}

export function planNacks(log: OrderLog, sources: ReadonlyMap<Pid, SourceStream>, haveTo: number): NackPlan {
  const toHolder: NackWant[] = [];
  const top = Math.min(Math.max(log.maxTs, log.hintTs), haveTo + NACK_SCAN_TS_MAX);
  let gapFrom = -1;
  for (let ts = haveTo + 1; ts <= top + 1 && toHolder.length < NACK_WANTS_MAX; ts++) {
    const e = ts <= top ? log.entries.get(ts) : undefined;
    if (e === undefined && ts <= top) {
      if (gapFrom < 0) gapFrom = ts;
      continue;
    }
    if (gapFrom >= 0) {
      toHolder.push({ kind: NackKind.order, a: 0, b: gapFrom, c: ts - 1 });
      gapFrom = -1;
    }
    if (e?.kind === 'data' && sources.get(e.src)?.has(e.seq) !== true) toHolder.push({ kind: NackKind.data, a: e.src, b: e.seq, c: e.seq });
  }
  const bySource = new Map<Pid, NackWant[]>();
  for (const s of sources.values()) {
    if (log.removed.has(s.src)) continue;
    const gap = sourceGap(s);
    if (gap !== null) bySource.set(s.src, [{ kind: NackKind.data, a: s.src, b: gap[0], c: gap[1] }]);
  }
  return { toHolder, bySource };
}
