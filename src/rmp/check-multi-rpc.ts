// Multi-RPC checks (spec §12.12): every process computes the same holder of a handler lock at
// each timestamp, each request for a handler is answered by one member only, and at the end
// every correct client's request got its reply.
import type { LockRecord, RespondRecord } from './outputs.js';
import { packetId } from './outputs.js';
import type { CheckOptions, RmpTracker } from './property-tracker.js';
import { Qos } from './qos.js';

export function lockAtChange(t: RmpTracker, l: LockRecord): void {
  const key = `${l.handler}@${l.ts}`;
  const other = t.locks.get(key);
  if (other !== undefined && other !== l.holder) t.flag('rmp-handler-locks', `handler ${l.handler} at ts ${l.ts}: one process says holder ${other}, process ${l.pid} says ${l.holder}`);
  t.locks.set(key, l.holder);
}

export function responseAtAnswer(t: RmpTracker, r: RespondRecord): void {
  if (r.handler === 0) return; // acks: duplicates are harmless
  const key = packetId(r.client, r.seq);
  const other = t.responders.get(key);
  if (other !== undefined && other !== r.pid) t.flag('rmp-handler-locks', `request ${key} for handler ${r.handler} answered by both ${other} and ${r.pid}`);
  t.responders.set(key, r.pid);
}

/** Auto-acked requests are always answered; handler requests when the scenario keeps their lock holder alive. */
export function checkReplies(t: RmpTracker, opts: CheckOptions): string | null {
  if (!opts.quiescent) return null;
  for (const [id, r] of t.requests) {
    if (r.qos < Qos.reliable || opts.faulty(r.node) || (r.handler !== 0 && !opts.expectReplies)) continue;
    if (!t.replied.has(id)) return `correct client request ${id} (handler ${r.handler}) never got a reply`;
  }
  return null;
}
