// What an RMP run showed, process by process, read from its `output` records (spec §12): one
// tracker follows a run (simulated, or the merged logs of real processes) and the check-*.ts
// families read it. The "at delivery time" checks (K-resilience, safe, majority, acceptance
// rule, token uniqueness, ...) run as records arrive and flag the first violation of each
// property; the others run once at the end. Holding is the ground truth each process reports
// the moment it holds a timestamp's order and data (`rmp.have`).
import type { Json, NodeId } from '../sim/core.js';
import { bufferBoundAtReport } from './check-liveness.js';
import { lockAtChange, responseAtAnswer } from './check-multi-rpc.js';
import { orderAtDelivery } from './check-order.js';
import { resilienceAtDelivery } from './check-resilience.js';
import { tokenAtAcceptance } from './check-token.js';
import { OUT, packetId, type BuffersRecord, type DeliverRecord, type HaveRecord, type LockRecord, type ReformedRecord, type ReplyRecord, type RequestRecord, type RespondRecord, type SentRecord, type TokenRecord, type ViewRecord } from './outputs.js';
import type { Pid } from './pid.js';

/** One output as the tracker needs it: who (node), when, what. */
export interface OutputRecord {
  t: number;
  node: NodeId;
  name: string;
  data: Json;
}

export interface ProcessState {
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
  readonly holders = new Map<string, Set<Pid>>();
  /** "view/pass" → the process that accepted that token. */
  readonly tokens = new Map<string, Pid>();
  /** "handler@ts" → the holder a process computed there. */
  readonly locks = new Map<string, Pid>();
  /** Request id → the member that answered it. */
  readonly responders = new Map<string, Pid>();
  readonly sent = new Map<string, SentRecord & { t: number }>();
  readonly requests = new Map<string, RequestRecord & { t: number; node: NodeId }>();
  readonly replied = new Set<string>();
  /** (view installed, previous view) → what each process delivered in between. */
  readonly segments: { pid: Pid; view: string; prev: string; delivered: string }[] = [];
  /** Violations found as records arrived, by property name (first one each). */
  readonly incremental = new Map<string, string>();
  private last: unknown = null;

  constructor(readonly retransBufferMaxBytes: number) {}

  private proc(pid: Pid, node: NodeId): ProcessState {
    let p = this.processes.get(pid);
    if (p === undefined) {
      p = { node, joinAtUs: null, joinTs: 0, installed: null, haveByTs: new Map(), haveTo: 0, removed: new Set(), segment: [], totalByView: new Map(), successorOf: new Map(), delivered: new Map(), bySource: new Map(), agreed: [], buffers: null, status: 'joining' };
      this.processes.set(pid, p);
    }
    return p;
  }

  flag(property: string, message: string): void {
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
        return tokenAtAcceptance(this, d as unknown as TokenRecord);
      case OUT.deliver: {
        const delivery = d as unknown as DeliverRecord;
        const p = this.proc(delivery.pid, r.node);
        orderAtDelivery(this, p, delivery);
        resilienceAtDelivery(this, p, delivery);
        return;
      }
      case OUT.lock:
        return lockAtChange(this, d as unknown as LockRecord);
      case OUT.respond:
        return responseAtAnswer(this, d as unknown as RespondRecord);
      case OUT.buffers: {
        const b = d as unknown as BuffersRecord;
        this.proc(b.pid, r.node).buffers = b;
        return bufferBoundAtReport(this, b);
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
}
