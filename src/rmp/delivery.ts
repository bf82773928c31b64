// Delivery per QoS level (spec §6) and buffer release (§5.6). Reliable packets go up on first
// receipt, source-ordered ones in each source's sequence order, the total-order levels in
// timestamp order — K-resilient, majority and safe ones only once enough members hold them
// (D8) — and a view entry is installed at its place in that order (the virtual-synchrony
// cut, §8). What is delivered and stable is forgotten.
import type { Json } from '../sim/core.js';
import type { RmpConfig } from './config.js';
import type { MemberIo } from './member-io.js';
import type { MemberState } from './member-state.js';
import type { MultiRpc } from './multi-rpc.js';
import type { Entry, OrderLog } from './order-log.js';
import { OUT, packetId, type BuffersRecord, type DeliverRecord } from './outputs.js';
import { DataControl, type DataPacket } from './packets.js';
import { inTotalOrder, Qos } from './qos.js';
import type { SourceStream } from './source-stream.js';

/** What the application gets with each delivery (the `output` carries only the metadata). */
export type DeliverySink = (record: DeliverRecord, messages: readonly Uint8Array[]) => void;

/** Whether the total-order packet at `ts` may be delivered now. */
export type DeliverableRule = (ts: number, p: DataPacket) => boolean;

/** K-resilient, majority and safe levels wait for holders (spec §6, D8). */
export function holdersSuffice(log: OrderLog, ts: number, p: DataPacket): boolean {
  if (p.qos === Qos.totallyOrdered) return true;
  const h = log.holders(ts);
  if (p.qos === Qos.kResilient) return h.held >= Math.min(p.k, h.live - 1) + 1;
  // A majority of MaxN, and never less than a majority of its own view: a removed member is
  // not excused here, so a partition without that majority cannot deliver it (D8, D10).
  if (p.qos === Qos.majorityResilient) return h.held >= Math.floor(Math.max(log.maxN(), h.viewSize) / 2) + 1;
  return log.isStable(ts);
}

export class Delivery {
  private lastBuffers = '';

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly config: RmpConfig,
    private readonly rpc: MultiRpc,
    private readonly deliverableNow: DeliverableRule,
    private readonly sink?: DeliverySink,
  ) {}

  resetIncarnation(): void {
    this.lastBuffers = '';
  }

  deliver(p: DataPacket, ts: number, orderView: string | null, id: string): void {
    const record: DeliverRecord = { pid: this.s.pid, id, src: p.sender, seq: p.seq, qos: p.qos, k: p.k, ts, orderView, messages: p.messages.length, nonMember: p.type === 'nonMemberData' };
    this.io.out(OUT.deliver, record as unknown as Json);
    this.sink?.(record, p.messages);
  }

  deliverStored(s: SourceStream, seq: number, ts: number): void {
    const d = s.data.get(seq)!;
    d.delivered = true;
    const e = ts >= 0 ? this.s.log.entries.get(ts) : undefined;
    this.deliver(d.packet, ts, e?.kind === 'data' ? e.view.key : null, packetId(s.src, seq));
  }

  /** Source order (spec §6): a source's packets at source-ordered and above, in sequence order. */
  advanceChain(s: SourceStream): void {
    for (;;) {
      const seq = s.chainTo + 1;
      const d = s.data.get(seq);
      if (d === undefined) return;
      const q = d.packet.qos;
      if (q === Qos.sourceOrdered && !d.delivered) this.deliverStored(s, seq, -1);
      else if (inTotalOrder(q) && !d.delivered) return; // waits for its timestamp; so do its successors
      s.chainTo = seq;
    }
  }

  /** Holding changed somewhere: stability, deliveries and releases may follow. */
  afterHolding(): void {
    this.s.log.advanceStable();
    this.advanceCursor();
    this.releaseStable();
  }

  /** Delivery in timestamp order for the total-order levels; frozen while a reformation runs (§8.3 step 2). */
  private advanceCursor(): void {
    while (this.s.recovery === null && this.s.participating() && this.s.deliverTs < this.s.haveTo) {
      const ts = this.s.deliverTs + 1;
      const e = this.s.log.entries.get(ts)!;
      if (e.kind === 'view') {
        this.s.deliverTs = ts;
        this.install(e);
        continue;
      }
      const s = this.s.stream(e.src);
      const d = s.data.get(e.seq);
      if (d === undefined) {
        // The have cursor passed ts only with its data: a core that gets here is broken.
        this.io.invariant(`ts ${ts} (${packetId(e.src, e.seq)}) is below haveTo ${this.s.haveTo} without its data`);
        return;
      }
      if (inTotalOrder(d.packet.qos)) {
        if (!this.deliverableNow(ts, d.packet)) return;
        this.deliverStored(s, e.seq, ts);
        if (d.packet.control !== DataControl.none) this.rpc.applyLock(d.packet, ts);
        this.advanceChain(s);
      } else if (!d.delivered) {
        // Source order holds its predecessors, all at lower timestamps, so the chain reaches it.
        this.advanceChain(s);
        if (!d.delivered) this.io.invariant(`${packetId(e.src, e.seq)} at ts ${ts} is not delivered when the cursor passes it`);
      }
      this.s.deliverTs = ts;
      if (d.packet.type === 'nonMemberData') this.rpc.answerAtTimestamp(e, d);
    }
  }

  private install(e: Extract<Entry, { kind: 'view' }>): void {
    const cause = e.cause === 'reformation' ? 'reformation' : 'change';
    this.io.emitView(e.view, this.s.deliverTs, cause);
    this.rpc.freeLocksAbsentFrom(e.view.list, this.s.deliverTs);
    if (!e.view.list.includes(this.s.pid)) {
      this.io.setStatus('left');
      this.io.arm('linger', this.config.timers.leaveLingerUs);
    }
  }

  /** Forget what is delivered and stable (spec §5.6): the buffer bound of §12.11. */
  private releaseStable(): void {
    const upTo = Math.min(this.s.log.stableTs, this.s.deliverTs);
    if (upTo <= this.s.log.releasedTs) return;
    for (const e of this.s.log.release(upTo)) {
      if (e.kind !== 'data') continue;
      const d = this.s.stream(e.src).release(e.seq);
      if (d !== undefined && e.src === this.s.pid) this.s.sendQueue.released(d.size);
    }
  }

  /** Buffer occupancy, reported when it changed (the checkers' view of §12.11). */
  reportBuffers(): void {
    let data = 0;
    for (const s of this.s.sources.values()) data += s.data.size;
    const r: BuffersRecord = { pid: this.s.pid, data, acks: this.s.log.storedAcks, queued: this.s.sendQueue.length, unstableBytes: this.s.sendQueue.unstableBytes };
    const key = `${data}/${r.acks}/${r.queued}/${r.unstableBytes}`;
    if (key === this.lastBuffers) return;
    this.lastBuffers = key;
    this.io.out(OUT.buffers, r as unknown as Json);
  }
}
