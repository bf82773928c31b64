// The checkable properties of spec §12 over RMP's `output` records. One tracker follows a run
// (simulated, or the merged logs of real processes) and each property reads its part:
// the "at delivery time" ones (K-resilience, safe, majority, acceptance rule, token
// uniqueness) as records arrive, the others once at the end. Holding is the ground truth each
// process reports the moment it holds a timestamp's order and data (`rmp.have`).
import type { Json, NodeId } from '../sim/core.js';
import type { Property, RunView } from '../sim/property.js';
import type { TraceRecord } from '../sim/trace.js';
import { MAX_PACKET_BYTES } from './limits.js';
import { OUT, packetId, type BuffersRecord, type DeliverRecord, type HaveRecord, type LockRecord, type ReformedRecord, type ReplyRecord, type RequestRecord, type RespondRecord, type SentRecord, type TokenRecord, type ViewRecord } from './outputs.js';
import type { Pid } from './pid.js';
import { inTotalOrder, Qos } from './qos.js';

/** One output as the tracker needs it: who (node), when, what. */
export interface OutputRecord {
  t: number;
  node: NodeId;
  name: string;
  data: Json;
}

interface ProcessState {
  node: NodeId;
  joinAtUs: number | null;
  joinTs: number;
  installed: string | null;
  /** Timestamp → packet id held (current numbering), and the contiguous cursor over it. */
  haveByTs: Map<number, string>;
  haveTo: number;
  removed: Set<Pid>;
  /** Total-order deliveries since the last install: the virtual-synchrony segment. */
  segment: string[];
  /** Per installed view: total-order deliveries (ts, id) made while it was installed. */
  totalByView: Map<string, { ts: number; id: string }[]>;
  successorOf: Map<string, string>;
  delivered: Map<string, number>;
  bySource: Map<Pid, number[]>;
  agreed: string[];
  buffers: BuffersRecord | null;
  status: string;
}

export interface CheckOptions {
  /** Node → true when it crashed or paused at some point (not "correct"). */
  faulty(node: NodeId): boolean;
  /** Own unstable bytes a source may hold (the config's bound); one packet of slack on top. */
  retransBufferMaxBytes: number;
  /** Every request of a correct client must be answered (scenarios whose lock holders survive). */
  expectReplies: boolean;
  /** The run ended quiescent: liveness checks (no loss, empty buffers) apply. */
  quiescent: boolean;
  /** Every live member ends in one view (false when partitions may both continue: they never merge, seed §4). */
  converge: boolean;
}

export class RmpTracker {
  readonly processes = new Map<Pid, ProcessState>();
  /** Node → its current process id. */
  readonly current = new Map<NodeId, Pid>();
  readonly views = new Map<string, number[]>();
  /** Packet id → processes that held it (at any time so far). */
  private readonly holders = new Map<string, Set<Pid>>();
  private readonly tokens = new Map<string, Pid>();
  private readonly locks = new Map<string, Pid>();
  private readonly responders = new Map<string, Pid>();
  readonly sent = new Map<string, SentRecord & { t: number }>();
  readonly requests = new Map<string, RequestRecord & { t: number; node: NodeId }>();
  readonly replied = new Set<string>();
  /** Violations found as records arrived, by property name (first one each). */
  readonly incremental = new Map<string, string>();
  private last: unknown = null;

  constructor(private readonly retransBufferMaxBytes: number) {}

  private proc(pid: Pid, node: NodeId): ProcessState {
    let p = this.processes.get(pid);
    if (p === undefined) {
      p = { node, joinAtUs: null, joinTs: 0, installed: null, haveByTs: new Map(), haveTo: 0, removed: new Set(), segment: [], totalByView: new Map(), successorOf: new Map(), delivered: new Map(), bySource: new Map(), agreed: [], buffers: null, status: 'joining' };
      this.processes.set(pid, p);
    }
    return p;
  }

  private flag(property: string, message: string): void {
    if (!this.incremental.has(property)) this.incremental.set(property, message);
  }

  /** Idempotent per record object: every property feeds it, the first one counts. */
  ingest(r: OutputRecord): void {
    if (r === this.last) return;
    this.last = r;
    const d = r.data as Record<string, Json>;
    switch (r.name) {
      case OUT.incarnation:
        if (r.node >= 0 && (d.node as number) >= 0) this.current.set(r.node, d.pid as number);
        this.proc(d.pid as number, r.node);
        return;
      case OUT.status:
        this.proc(d.pid as number, r.node).status = d.status as string;
        return;
      case OUT.sent:
        this.sent.set(d.id as string, { ...(d as unknown as SentRecord), t: r.t });
        return;
      case OUT.request: {
        const q = d as unknown as RequestRecord;
        this.requests.set(packetId(q.pid, q.seq), { ...q, t: r.t, node: r.node });
        return;
      }
      case OUT.reply: {
        const q = d as unknown as ReplyRecord;
        this.replied.add(packetId(q.pid, q.seq));
        return;
      }
      case OUT.view:
        return this.onView(r, d as unknown as ViewRecord);
      case OUT.reformed:
        return this.onReformed(d as unknown as ReformedRecord);
      case OUT.have:
        return this.onHave(d as unknown as HaveRecord, r.node);
      case OUT.token:
        return this.onToken(d as unknown as TokenRecord);
      case OUT.deliver:
        return this.onDeliver(d as unknown as DeliverRecord, r.node);
      case OUT.lock:
        return this.onLock(d as unknown as LockRecord);
      case OUT.respond:
        return this.onRespond(d as unknown as RespondRecord);
      case OUT.buffers: {
        const b = d as unknown as BuffersRecord;
        this.proc(b.pid, r.node).buffers = b;
        if (b.unstableBytes > this.retransBufferMaxBytes + MAX_PACKET_BYTES)
          this.flag('rmp-buffer-bound', `process ${b.pid} holds ${b.unstableBytes} unstable own bytes, above the bound ${this.retransBufferMaxBytes} + one packet`);
        return;
      }
      case OUT.invariant:
        this.flag('rmp-internal-invariants', `process ${d.pid}: ${d.message}`);
        return;
    }
  }

  private onView(r: OutputRecord, v: ViewRecord): void {
    this.views.set(v.key, v.list);
    const p = this.proc(v.pid, r.node);
    if (p.installed === null) {
      p.joinAtUs = r.t;
      p.joinTs = v.ts;
      p.haveTo = v.ts;
    } else {
      p.successorOf.set(p.installed, v.key);
      this.segments.push({ pid: v.pid, view: v.key, prev: p.installed, delivered: p.segment.join(',') });
    }
    p.segment = [];
    p.installed = v.key;
  }

  /** (view installed, previous view) → what each process delivered in between. */
  readonly segments: { pid: Pid; view: string; prev: string; delivered: string }[] = [];

  private onReformed(f: ReformedRecord): void {
    const p = this.processes.get(f.pid);
    if (p === undefined) return;
    for (const x of f.removed) p.removed.add(x);
    for (const ts of [...p.haveByTs.keys()]) if (ts > f.syncTs) p.haveByTs.delete(ts);
    if (p.haveTo > f.syncTs) p.haveTo = f.syncTs;
  }

  private onHave(h: HaveRecord, node: NodeId): void {
    const p = this.proc(h.pid, node);
    p.haveByTs.set(h.ts, h.id);
    while (p.haveByTs.has(p.haveTo + 1)) p.haveTo++;
    let s = this.holders.get(h.id);
    if (s === undefined) this.holders.set(h.id, (s = new Set()));
    s.add(h.pid);
  }

  private onToken(t: TokenRecord): void {
    const key = `${t.view}/${t.pass}`;
    const other = this.tokens.get(key);
    if (other !== undefined && other !== t.pid) this.flag('rmp-token-uniqueness', `processes ${other} and ${t.pid} both accepted the token of pass ${t.pass} in view ${t.view}`);
    this.tokens.set(key, t.pid);
    const p = this.processes.get(t.pid);
    if (p !== undefined && p.haveTo < t.upTo)
      this.flag('rmp-acceptance-rule', `process ${t.pid} accepted the token of pass ${t.pass} in view ${t.view} covering up to ts ${t.upTo} while holding only up to ts ${p.haveTo} (missing ts ${p.haveTo + 1})`);
  }

  private onDeliver(d: DeliverRecord, node: NodeId): void {
    const p = this.proc(d.pid, node);
    if (d.qos >= Qos.reliable) {
      const n = (p.delivered.get(d.id) ?? 0) + 1;
      p.delivered.set(d.id, n);
      if (n === 2) this.flag('rmp-exactly-once', `process ${d.pid} delivered ${d.id} (${qosLabel(d.qos)}) twice`);
    }
    if (d.qos >= Qos.sourceOrdered) {
      let l = p.bySource.get(d.src);
      if (l === undefined) p.bySource.set(d.src, (l = []));
      const prev = l[l.length - 1];
      if (prev !== undefined && d.seq <= prev) this.flag('rmp-source-order', `process ${d.pid} delivered ${d.id} after seq ${prev} of the same source`);
      l.push(d.seq);
    }
    if (!inTotalOrder(d.qos)) return;
    const view = p.installed ?? '?';
    let seg = p.totalByView.get(view);
    if (seg === undefined) p.totalByView.set(view, (seg = []));
    const last = seg[seg.length - 1];
    if (last !== undefined && d.ts <= last.ts) this.flag('rmp-total-order', `process ${d.pid} delivered ts ${d.ts} after ts ${last.ts} in view ${view}`);
    seg.push({ ts: d.ts, id: d.id });
    p.segment.push(d.id);
    if (d.qos === Qos.majorityResilient) p.agreed.push(d.id);
    const list = d.orderView !== null ? this.views.get(d.orderView) : undefined;
    if (list === undefined) return;
    const held = this.holders.get(d.id) ?? new Set<Pid>();
    if (d.qos === Qos.kResilient) {
      const live = list.filter((x) => !p.removed.has(x)).length;
      const k = Math.min(d.k, live - 1);
      if (held.size < k + 1) this.flag('rmp-k-resilience', `process ${d.pid} delivered ${d.id} (K=${d.k}, effective ${k}) when only ${held.size} processes held it`);
    } else if (d.qos === Qos.majorityResilient) {
      const need = Math.floor(list.length / 2) + 1;
      const inView = list.filter((x) => held.has(x)).length;
      if (inView < need) this.flag('rmp-majority', `process ${d.pid} delivered agreed ${d.id} when ${inView} of the ${list.length} members of its view held it`);
    } else if (d.qos === Qos.safe) {
      const missing = list.filter((x) => !p.removed.has(x) && !held.has(x));
      if (missing.length > 0) this.flag('rmp-safe', `process ${d.pid} delivered safe ${d.id} while members ${missing.join(',')} of view ${d.orderView} did not hold it`);
    }
  }

  private onLock(l: LockRecord): void {
    const key = `${l.handler}@${l.ts}`;
    const other = this.locks.get(key);
    if (other !== undefined && other !== l.holder) this.flag('rmp-handler-locks', `handler ${l.handler} at ts ${l.ts}: one process says holder ${other}, process ${l.pid} says ${l.holder}`);
    this.locks.set(key, l.holder);
  }

  private onRespond(r: RespondRecord): void {
    if (r.handler === 0) return; // acks: duplicates are harmless
    const key = packetId(r.client, r.seq);
    const other = this.responders.get(key);
    if (other !== undefined && other !== r.pid) this.flag('rmp-handler-locks', `request ${key} for handler ${r.handler} answered by both ${other} and ${r.pid}`);
    this.responders.set(key, r.pid);
  }

  // ------------------------------------------------------------------ end-of-run checks

  /** The view most live member processes ended in, and those processes. */
  finalView(opts: CheckOptions): { key: string; members: Pid[] } | null {
    const count = new Map<string, Pid[]>();
    for (const [node, pid] of this.current) {
      if (opts.faulty(node)) continue;
      const p = this.processes.get(pid);
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
  checkNoLoss(opts: CheckOptions): string | null {
    if (!opts.quiescent) return null;
    const f = this.finalView(opts);
    if (f === null) return null;
    const list = this.views.get(f.key)!;
    for (const [node, pid] of this.current) {
      const p = this.processes.get(pid)!;
      if (opts.converge && !opts.faulty(node) && p.status !== 'gone' && p.status !== 'left' && p.status !== 'outside' && p.installed !== f.key)
        return `live process ${pid} (node ${node}) ended in view ${p.installed ?? 'none'} (${p.status}), not the final view ${f.key}`;
    }
    for (const pid of f.members) {
      const p = this.processes.get(pid)!;
      for (const [id, s] of this.sent) {
        if (s.qos < Qos.reliable || !list.includes(s.pid) || s.t <= (p.joinAtUs ?? Infinity)) continue;
        if (!p.delivered.has(id)) return `member ${pid} of the final view ${f.key} never delivered ${id} (${qosLabel(s.qos)}) sent by member ${s.pid} after it joined`;
      }
      for (const [id, r] of this.requests) {
        if (r.qos < Qos.reliable || opts.faulty(r.node) || r.t <= (p.joinAtUs ?? Infinity)) continue;
        if (!p.delivered.has(id)) return `member ${pid} of the final view never delivered request ${id} of a correct client`;
      }
    }
    return null;
  }

  /** §12.3 no gaps: what a process delivered of a source's ordered stream is one contiguous run. */
  checkSourceGaps(): string | null {
    const streams = new Map<Pid, number[]>();
    for (const s of this.sent.values()) if (s.qos >= Qos.sourceOrdered) push(streams, s.pid, Number(s.id.split(':')[1]));
    for (const r of this.requests.values()) if (r.qos >= Qos.sourceOrdered) push(streams, r.pid, r.seq);
    for (const list of streams.values()) list.sort((a, b) => a - b);
    for (const [pid, p] of this.processes)
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
  checkTotalOrder(): string | null {
    const byView = new Map<string, [Pid, ProcessState][]>();
    for (const e of this.processes) for (const v of e[1].totalByView.keys()) push(byView, v, e);
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
  checkVirtualSynchrony(): string | null {
    const first = new Map<string, { pid: Pid; delivered: string }>();
    for (const s of this.segments) {
      const key = `${s.prev}→${s.view}`;
      const f = first.get(key);
      if (f === undefined) first.set(key, s);
      else if (f.delivered !== s.delivered)
        return `processes ${f.pid} and ${s.pid} both installed ${s.view} after ${s.prev} but delivered different packets before it: [${abbrev(f.delivered)}] vs [${abbrev(s.delivered)}]`;
    }
    return null;
  }

  /** §12.8: no two processes, in any partitions, deliver two agreed packets in opposite orders. */
  checkAgreed(): string | null {
    const orders = [...this.processes].filter(([, p]) => p.agreed.length > 1);
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

  /** §12.11 at quiescence: every live member's buffers are empty. §12.12: every correct client's request got its answer. */
  checkQuiescent(opts: CheckOptions): string | null {
    if (!opts.quiescent) return null;
    const f = this.finalView(opts);
    for (const pid of f?.members ?? []) {
      const b = this.processes.get(pid)!.buffers;
      if (b !== null && (b.data > 0 || b.acks > 0 || b.queued > 0)) return `member ${pid} still holds ${b.data} packets, ${b.acks} ACKs and ${b.queued} queued messages after the run went quiet`;
    }
    return null;
  }

  /** Auto-acked requests are always answered; handler requests when the scenario keeps their lock holder alive. */
  checkReplies(opts: CheckOptions): string | null {
    if (!opts.quiescent) return null;
    for (const [id, r] of this.requests) {
      if (r.qos < Qos.reliable || opts.faulty(r.node) || (r.handler !== 0 && !opts.expectReplies)) continue;
      if (!this.replied.has(id)) return `correct client request ${id} (handler ${r.handler}) never got a reply`;
    }
    return null;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  let l = m.get(k);
  if (l === undefined) m.set(k, (l = []));
  l.push(v);
}

function abbrev(s: string): string {
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

function qosLabel(q: number): string {
  return ['unreliable', 'reliable', 'source ordered', 'totally ordered', 'k-resilient', 'majority', 'safe'][q] ?? String(q);
}

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
    { ...incremental('rmp-source-order'), check: () => tracker.checkSourceGaps() },
    { ...incremental('rmp-total-order'), check: () => tracker.checkTotalOrder() },
    atEnd('rmp-virtual-synchrony', () => tracker.checkVirtualSynchrony()),
    incremental('rmp-k-resilience'),
    incremental('rmp-safe'),
    incremental('rmp-majority'),
    atEnd('rmp-agreed-across-partitions', () => tracker.checkAgreed()),
    { ...incremental('rmp-handler-locks'), check: (v) => tracker.checkReplies(opts(v)) },
    { ...incremental('rmp-buffer-bound'), check: (v) => tracker.checkQuiescent(opts(v)) },
    atEnd('rmp-no-loss', (v) => tracker.checkNoLoss(opts(v))),
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
    ['rmp-source-order', t.checkSourceGaps()],
    ['rmp-total-order', t.checkTotalOrder()],
    ['rmp-virtual-synchrony', t.checkVirtualSynchrony()],
    ['rmp-agreed-across-partitions', t.checkAgreed()],
    ['rmp-handler-locks', t.checkReplies(opts)],
    ['rmp-buffer-bound', t.checkQuiescent(opts)],
    ['rmp-no-loss', t.checkNoLoss(opts)],
  ];
  for (const [property, message] of end) if (message !== null) return { property, message };
  return null;
}
