// Multi-RPC for non-members (seed §2, spec §9, D15): who answers a client's request, and
// the handler locks that decide it. Lock operations ride totally ordered DATA, so every
// member computes the same holder at every timestamp and exactly one member answers.
import type { RmpConfig } from './config.js';
import { sendReply } from './forwarding.js';
import { HandlerLocks, ReplyCache } from './handler-locks.js';
import type { MemberIo } from './member-io.js';
import type { MemberState } from './member-state.js';
import type { Entry } from './order-log.js';
import { OUT } from './outputs.js';
import { DataControl, ReplyStatus, rmpPackets, type DataPacket } from './packets.js';
import type { Pid } from './pid.js';
import type { SourceStream, StoredData } from './source-stream.js';

export class MultiRpc {
  private locks = new HandlerLocks();
  private replies = new ReplyCache();

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly config: RmpConfig,
  ) {}

  resetIncarnation(): void {
    this.locks = new HandlerLocks();
    this.replies = new ReplyCache();
  }

  /** A request seen again: the client missed our answer; send it again (spec §9). */
  answerDuplicate(p: DataPacket, s: SourceStream): void {
    if (p.type !== 'nonMemberData' || !this.s.isMember()) return;
    const cached = this.replies.get(p.sender, p.seq);
    if (cached !== undefined) {
      sendReply(this.s, this.io, p.sender, cached);
      return;
    }
    // Auto-ack fallback (D15): the orderer is gone, so the view's first member answers.
    const ts = s.tsOf.get(p.seq);
    const e = ts !== undefined ? this.s.log.entries.get(ts) : undefined;
    const delivered = p.seq <= s.releasedTo || s.data.get(p.seq)?.delivered === true;
    if (p.handler === 0 && delivered && this.s.orderView.list[0] === this.s.pid && (e?.kind !== 'data' || !this.s.orderView.list.includes(e.orderedBy)))
      this.reply(p.sender, p.seq, 0, ReplyStatus.ack, new Uint8Array(0));
  }

  /** A non-member's request reached its place in the total order: answer it if it is ours (§9). */
  answerAtTimestamp(e: Extract<Entry, { kind: 'data' }>, d: StoredData): void {
    const p = d.packet;
    if (p.handler === 0) {
      if (e.orderedBy === this.s.pid) this.reply(p.sender, p.seq, 0, ReplyStatus.ack, new Uint8Array(0));
    } else if (this.locks.holder(p.handler) === this.s.pid) {
      this.reply(p.sender, p.seq, p.handler, ReplyStatus.response, this.config.respond(p.handler, p.messages, p.sender));
    }
  }

  /** A lock operation delivered at `ts` in the total order. */
  applyLock(p: DataPacket, ts: number): void {
    const changed = p.control === DataControl.lockAcquire ? this.locks.acquire(p.handler, p.sender) : this.locks.release(p.handler, p.sender);
    if (changed) this.lockChanged(p.handler, this.locks.holder(p.handler) ?? 0, ts);
  }

  /** A view installed at `ts` frees the locks of everyone it leaves out (spec §9). */
  freeLocksAbsentFrom(members: readonly Pid[], ts: number): void {
    for (const h of this.locks.dropAbsent(members)) this.lockChanged(h, 0, ts);
  }

  private lockChanged(handler: number, holder: Pid, ts: number): void {
    this.io.out(OUT.lock, { pid: this.s.pid, handler, holder, ts });
  }

  private reply(client: Pid, seq: number, handler: number, status: number, payload: Uint8Array): void {
    const bytes = rmpPackets.encode({ type: 'reply', ...this.io.header(), client, seq, status: status as 0 | 1, payload });
    this.replies.put(client, seq, bytes);
    this.io.out(OUT.respond, { pid: this.s.pid, client, seq, handler });
    sendReply(this.s, this.io, client, bytes);
  }
}
