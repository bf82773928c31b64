// Every member processes every ACK (spec §5.4, D1, D6): its entries take consecutive
// timestamps in the view that ordered them, a trailing join or leave ends that view, the
// sender is known to hold everything up to the ACK's end, and the member it names accepts
// the token. The token site applies its own ACK the same way.
import type { HaveCursor } from './have-cursor.js';
import type { JoinLeave } from './join-leave.js';
import type { LossRecovery } from './loss-recovery.js';
import type { MemberIo } from './member-io.js';
import type { MemberState, MemberStats } from './member-state.js';
import type { AckPacket, OrderEntry } from './packets.js';
import type { Pid } from './pid.js';
import type { TokenSite } from './token-site.js';
import type { View } from './view.js';

export class AckProcessing {
  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly stats: MemberStats,
    private readonly token: TokenSite,
    private readonly joinLeave: JoinLeave,
    private readonly loss: LossRecovery,
    private readonly have: HaveCursor,
  ) {}

  onAck(p: AckPacket, bytes: Uint8Array): void {
    if (this.s.status === 'joining') {
      if (p.change?.joined.includes(this.s.pid)) {
        const joinTs = this.joinLeave.joinedBy(p);
        if (p.next === this.s.pid) this.token.tryAccept(p.pass, joinTs);
      }
      return;
    }
    if (this.s.status === 'left') return this.joinLeave.leaverSeesToken(p, p.pass - 1);
    if (!this.s.participating()) return;
    const known = this.s.log.knownView(`${p.viewEpoch}.${p.viewCreator}`);
    if (known === undefined) {
      // A fellow member (or one passing us the token) is in a newer view we missed the change
      // into: its timestamps exist, so NACK for them (§5.4).
      if (p.viewEpoch >= this.s.orderView.epoch && (p.next === this.s.pid || this.s.orderView.list.includes(p.sender))) this.s.log.hintTs = Math.max(this.s.log.hintTs, p.tsBase - 1);
      return;
    }
    const view = known.view;
    const cut = known.cut;
    const current = view === this.s.orderView;
    let ts = p.tsBase;
    for (const e of p.entries) {
      if (ts > cut) break;
      this.absorbEntry(ts, e, view, p.sender);
      ts++;
    }
    let end = p.tsBase + p.entries.length - 1;
    if (p.change !== undefined && ts <= cut) {
      end = ts;
      this.joinLeave.absorbChange(ts, p.change, view, bytes);
    }
    end = Math.min(end, cut);
    if (end > this.s.log.maxTs) this.s.log.maxTs = end;
    if (end >= p.tsBase) this.s.log.storeAck(p.tsBase, end, bytes);
    this.s.log.noteHeld(p.sender, end);
    if (current) this.joinLeave.heardFromMember(p.sender);
    if (p.pass > this.s.maxPassSeen) this.s.maxPassSeen = p.pass;
    // Token evidence counts only in our chain: our view, or the change ACK that made it.
    const intoOurView = current || (p.change !== undefined && this.s.orderView.epoch === p.change.epoch && this.s.orderView.creator === p.change.creator);
    if (intoOurView) this.s.progress(p.pass - 1, this.io.now);
    else this.loss.helpLaggard(p.sender, end);
    // The next site accepts once (spec §5.3); a change ACK passes the token into the view it makes.
    if (p.next === this.s.pid && intoOurView && this.token.isNewPass(p.pass) && this.s.isMember()) this.token.tryAccept(p.pass, end);
    this.have.advance();
  }

  private absorbEntry(ts: number, e: OrderEntry, view: View, orderedBy: Pid): void {
    if (ts <= this.s.log.releasedTs) return;
    const have = this.s.log.entries.get(ts);
    if (have !== undefined) {
      if (have.kind !== 'data' || have.src !== e.src || have.seq !== e.seq) this.stats.orderConflicts++;
      return;
    }
    this.s.log.entries.set(ts, { kind: 'data', src: e.src, seq: e.seq, view, orderedBy });
    const s = this.s.stream(e.src);
    if (e.seq <= s.releasedTo) return; // before our start (a joiner): not ours to deliver
    s.markOrdered(e.seq, ts);
    if (e.src === this.s.pid) {
      const d = s.data.get(e.seq);
      if (d !== undefined) this.s.sendQueue.ordered(d.size);
    }
  }
}
