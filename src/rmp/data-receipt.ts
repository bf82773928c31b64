// A DATA or NON_MEMBER_DATA packet arrives (spec §5.4, §6, D7, D14): unreliable ones go up
// at once and are not kept; a duplicate is suppressed (a client's repeated request gets its
// answer again); anything else is kept until stable — reliable ones delivered on first
// receipt, source-ordered ones when their predecessors are — and may complete what we hold.
import type { Delivery } from './delivery.js';
import type { HaveCursor } from './have-cursor.js';
import type { MemberIo } from './member-io.js';
import type { MemberState } from './member-state.js';
import type { MultiRpc } from './multi-rpc.js';
import { unreliableId } from './outputs.js';
import { DataControl, type DataPacket } from './packets.js';
import { Qos } from './qos.js';
import type { SourceStream } from './source-stream.js';

export class DataReceipt {
  /** Arrival order at this member: the token site orders by it (fairness between sources, D2). */
  private arrivals = 0;

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly delivery: Delivery,
    private readonly rpc: MultiRpc,
    private readonly have: HaveCursor,
  ) {}

  onData(p: DataPacket, bytes: Uint8Array): void {
    if (!this.s.participating()) return;
    if (p.type === 'nonMemberData' && p.control !== DataControl.none) return; // locks are for members
    if (p.qos === Qos.unreliable) {
      this.delivery.deliver(p, -1, null, unreliableId(p.sender, p.seq));
      return;
    }
    const s = this.s.stream(p.sender);
    if (s.seen(p.seq)) return this.rpc.answerDuplicate(p, s);
    // A member's packet is ordered only while its source is in the view (D14): from anyone
    // else it is kept only when an ACK already ordered it (a late copy we NACKed for).
    if (p.type === 'data' && !s.tsOf.has(p.seq) && !this.s.orderView.list.includes(p.sender)) return;
    this.store(s, p, bytes);
  }

  /** Keep a packet (ours as we send it, or another's as it arrives) until it is stable. */
  store(s: SourceStream, p: DataPacket, bytes: Uint8Array): void {
    const size = p.messages.reduce((n, m) => n + m.length, 0);
    s.data.set(p.seq, { packet: p, bytes, size, arrival: ++this.arrivals, delivered: false, lastRetransUs: -Infinity, sentAtUs: this.io.now });
    if (p.seq > s.maxSeen) s.maxSeen = p.seq;
    if (p.qos === Qos.reliable) this.delivery.deliverStored(s, p.seq, -1); // on first receipt (spec §6), duplicates suppressed (D7)
    this.delivery.advanceChain(s);
    if (s.tsOf.has(p.seq)) this.have.advance();
  }
}
