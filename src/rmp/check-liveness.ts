// Liveness and buffer checks (spec §12.1, §12.11): no own unstable bytes above the bound as
// buffers are reported; and once a run went quiet, every member of the final view delivered
// every reliable packet sent after it joined, every live member ended in that view, and
// their buffers are empty.
import type { BuffersRecord } from './outputs.js';
import { MAX_PACKET_BYTES } from './limits.js';
import type { Pid } from './pid.js';
import type { CheckOptions, RmpTracker } from './property-tracker.js';
import { Qos, qosLabel } from './qos.js';

export function bufferBoundAtReport(t: RmpTracker, b: BuffersRecord): void {
  if (b.unstableBytes > t.retransBufferMaxBytes + MAX_PACKET_BYTES)
    t.flag('rmp-buffer-bound', `process ${b.pid} holds ${b.unstableBytes} unstable own bytes, above the bound ${t.retransBufferMaxBytes} + one packet`);
}

/** The view most live member processes ended in, and those processes. */
function finalView(t: RmpTracker, opts: CheckOptions): { key: string; members: Pid[] } | null {
  const count = new Map<string, Pid[]>();
  for (const [node, pid] of t.current) {
    if (opts.faulty(node)) continue;
    const p = t.processes.get(pid);
    if (p?.installed == null || p.status !== 'member') continue;
    let l = count.get(p.installed);
    if (l === undefined) count.set(p.installed, (l = []));
    l.push(pid);
  }
  let best: { key: string; members: Pid[] } | null = null;
  for (const [key, members] of count) if (best === null || members.length > best.members.length) best = { key, members };
  return best;
}

/** §12.1 no loss (and convergence): in the final view every member delivered every reliable+ packet sent after it joined. */
export function checkNoLoss(t: RmpTracker, opts: CheckOptions): string | null {
  if (!opts.quiescent) return null;
  const f = finalView(t, opts);
  if (f === null) return null;
  const list = t.views.get(f.key)!;
  for (const [node, pid] of t.current) {
    const p = t.processes.get(pid)!;
    if (opts.converge && !opts.faulty(node) && p.status !== 'gone' && p.status !== 'left' && p.status !== 'outside' && p.installed !== f.key)
      return `live process ${pid} (node ${node}) ended in view ${p.installed ?? 'none'} (${p.status}), not the final view ${f.key}`;
  }
  for (const pid of f.members) {
    const p = t.processes.get(pid)!;
    for (const [id, s] of t.sent) {
      if (s.qos < Qos.reliable || !list.includes(s.pid) || s.t <= (p.joinAtUs ?? Infinity)) continue;
      if (!p.delivered.has(id)) return `member ${pid} of the final view ${f.key} never delivered ${id} (${qosLabel(s.qos)}) sent by member ${s.pid} after it joined`;
    }
    for (const [id, r] of t.requests) {
      if (r.qos < Qos.reliable || opts.faulty(r.node) || r.t <= (p.joinAtUs ?? Infinity)) continue;
      if (!p.delivered.has(id)) return `member ${pid} of the final view never delivered request ${id} of a correct client`;
    }
  }
  return null;
}

/** §12.11 at quiescence: every live member's buffers are empty. */
export function checkQuiescent(t: RmpTracker, opts: CheckOptions): string | null {
  if (!opts.quiescent) return null;
  const f = finalView(t, opts);
  for (const pid of f?.members ?? []) {
    const b = t.processes.get(pid)!.buffers;
    if (b !== null && (b.data > 0 || b.acks > 0 || b.queued > 0)) return `member ${pid} still holds ${b.data} packets, ${b.acks} ACKs and ${b.queued} queued messages after the run went quiet`;
  }
  return null;
}
