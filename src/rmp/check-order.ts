// Order checks (spec §12.2–12.5, §12.8): exactly once and source order as each delivery is
// reported, total order within a view both per process (as it happens) and across the
// processes that stayed together (at the end), no gaps in a source's ordered stream, virtual
// synchrony at every view change, and agreed packets never in opposite orders anywhere.
import type { DeliverRecord } from './outputs.js';
import type { Pid } from './pid.js';
import type { ProcessState, RmpTracker } from './property-tracker.js';
import { inTotalOrder, Qos, qosLabel } from './qos.js';

export function orderAtDelivery(t: RmpTracker, p: ProcessState, d: DeliverRecord): void {
  if (d.qos >= Qos.reliable) {
    const n = (p.delivered.get(d.id) ?? 0) + 1;
    p.delivered.set(d.id, n);
    if (n === 2) t.flag('rmp-exactly-once', `process ${d.pid} delivered ${d.id} (${qosLabel(d.qos)}) twice`);
  }
  if (d.qos >= Qos.sourceOrdered) {
    let l = p.bySource.get(d.src);
    if (l === undefined) p.bySource.set(d.src, (l = []));
    const prev = l[l.length - 1];
    if (prev !== undefined && d.seq <= prev) t.flag('rmp-source-order', `process ${d.pid} delivered ${d.id} after seq ${prev} of the same source`);
    l.push(d.seq);
  }
  if (!inTotalOrder(d.qos)) return;
  const view = p.installed ?? '?';
  let seg = p.totalByView.get(view);
  if (seg === undefined) p.totalByView.set(view, (seg = []));
  const last = seg[seg.length - 1];
  if (last !== undefined && d.ts <= last.ts) t.flag('rmp-total-order', `process ${d.pid} delivered ts ${d.ts} after ts ${last.ts} in view ${view}`);
  seg.push({ ts: d.ts, id: d.id });
  p.segment.push(d.id);
  if (d.qos === Qos.majorityResilient) p.agreed.push(d.id);
}

/** §12.3 no gaps: what a process delivered of a source's ordered stream is one contiguous run. */
export function checkSourceGaps(t: RmpTracker): string | null {
  const streams = new Map<Pid, number[]>();
  for (const s of t.sent.values()) if (s.qos >= Qos.sourceOrdered) push(streams, s.pid, Number(s.id.split(':')[1]));
  for (const r of t.requests.values()) if (r.qos >= Qos.sourceOrdered) push(streams, r.pid, r.seq);
  for (const list of streams.values()) list.sort((a, b) => a - b);
  for (const [pid, p] of t.processes)
    for (const [src, seqs] of p.bySource) {
      const stream = streams.get(src);
      if (stream === undefined) continue;
      const pos = seqs.map((s) => stream.indexOf(s));
      for (let i = 1; i < pos.length; i++)
        if (pos[i] !== pos[i - 1]! + 1) return `process ${pid} skipped source ${src}'s ordered packets between seq ${seqs[i - 1]} and ${seqs[i]}`;
    }
  return null;
}

/** §12.4: processes that stayed together through a view deliver one sequence (one a prefix of the other). */
export function checkTotalOrder(t: RmpTracker): string | null {
  const byView = new Map<string, [Pid, ProcessState][]>();
  for (const e of t.processes) for (const v of e[1].totalByView.keys()) push(byView, v, e);
  for (const [view, procs] of byView)
    for (let i = 0; i < procs.length; i++)
      for (let j = i + 1; j < procs.length; j++) {
        const [pa, a] = procs[i]!;
        const [pb, b] = procs[j]!;
        if (a.successorOf.get(view) !== b.successorOf.get(view)) continue; // split by a partition or a crash: atomic only within one
        const sa = a.totalByView.get(view)!;
        const sb = b.totalByView.get(view)!;
        for (let k = 0; k < Math.min(sa.length, sb.length); k++)
          if (sa[k]!.id !== sb[k]!.id || sa[k]!.ts !== sb[k]!.ts)
            return `in view ${view}, processes ${pa} and ${pb} delivered different packets at position ${k}: ${sa[k]!.id}@${sa[k]!.ts} vs ${sb[k]!.id}@${sb[k]!.ts}`;
      }
  return null;
}

/** §12.5: every process installing view W from view V delivered the same packets in V. */
export function checkVirtualSynchrony(t: RmpTracker): string | null {
  const first = new Map<string, { pid: Pid; delivered: string }>();
  for (const s of t.segments) {
    const key = `${s.prev}→${s.view}`;
    const f = first.get(key);
    if (f === undefined) first.set(key, s);
    else if (f.delivered !== s.delivered)
      return `processes ${f.pid} and ${s.pid} both installed ${s.view} after ${s.prev} but delivered different packets before it: [${abbrev(f.delivered)}] vs [${abbrev(s.delivered)}]`;
  }
  return null;
}

/** §12.8: no two processes, in any partitions, deliver two agreed packets in opposite orders. */
export function checkAgreed(t: RmpTracker): string | null {
  const orders = [...t.processes].filter(([, p]) => p.agreed.length > 1);
  for (let i = 0; i < orders.length; i++) {
    const [pa, a] = orders[i]!;
    const pos = new Map(a.agreed.map((id, k) => [id, k]));
    for (let j = i + 1; j < orders.length; j++) {
      const [pb, b] = orders[j]!;
      let last = -1;
      let lastId = '';
      for (const id of b.agreed) {
        const k = pos.get(id);
        if (k === undefined) continue;
        if (k < last) return `processes ${pa} and ${pb} delivered agreed packets ${lastId} and ${id} in opposite orders`;
        last = k;
        lastId = id;
      }
    }
  }
  return null;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  let l = m.get(k);
  if (l === undefined) m.set(k, (l = []));
  l.push(v);
}

function abbrev(s: string): string {
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}
