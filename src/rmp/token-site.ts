// The token site (spec §5.2–5.3, [CM], D1–D3): accepting the token only while holding
// everything ordered so far, assigning timestamps to orderable packets in an ACK that also
// passes the token (and may end with a join or leave), confirming an acceptance that orders
// nothing, and re-sending our ACK until the next site shows it accepted.
import type { RmpConfig } from './config.js';
import type { Delivery } from './delivery.js';
import type { JoinLeave } from './join-leave.js';
import { ACK_ENTRIES_MAX } from './limits.js';
import { MULTICAST_NODE, type MemberIo } from './member-io.js';
import type { MemberState, MemberStats } from './member-state.js';
import { OUT } from './outputs.js';
import type { AckPacket, OrderEntry, PacketOf } from './packets.js';
import type { Pid } from './pid.js';
import type { SourceStream, StoredData } from './source-stream.js';
import { successor } from './view.js';

interface TokenState {
  holding: boolean;
  /** Last pass this member accepted (it then issues acceptedPass + 1). */
  acceptedPass: number;
  /** Our last ACK, re-sent until the next site shows it accepted (spec §5.2). */
  myAck: { pass: number; bytes: Uint8Array; retries: number } | null;
  /** An ACK that names us, waiting until we hold everything it covers (spec §5.3). */
  pending: { pass: number; upTo: number } | null;
}

export interface TokenSiteHooks {
  /** The acceptance rule (spec §5.3, [CM]): the member's, so a test variant can break it. */
  holdsEverythingUpTo(ts: number): boolean;
  /** Our own ACK is applied exactly as everyone else applies it (spec §5.4). */
  applyOwnAck(ack: AckPacket, bytes: Uint8Array): void;
}

export class TokenSite {
  private token: TokenState = { holding: false, acceptedPass: -1, myAck: null, pending: null };

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly config: RmpConfig,
    private readonly stats: MemberStats,
    private readonly joinLeave: JoinLeave,
    private readonly delivery: Delivery,
    private readonly hooks: TokenSiteHooks,
  ) {}

  resetIncarnation(): void {
    this.token = { holding: false, acceptedPass: -1, myAck: null, pending: null };
  }

  get holding(): boolean {
    return this.token.holding;
  }

  /** Pass 0 counts as accepted in the founding view; its first member holds the first token. */
  founded(v: { list: readonly Pid[] }): void {
    this.s.lastAcceptedPass = 0;
    if (v.list[0] === this.s.pid) this.tryAccept(0, 0);
  }

  /** The next site accepts a pass once (spec §5.3). */
  isNewPass(pass: number): boolean {
    return pass > Math.max(this.token.acceptedPass, this.s.lastAcceptedPass);
  }

  tryAccept(pass: number, upTo: number): void {
    if (!this.s.isMember() || this.s.recovery !== null) return;
    if (!this.hooks.holdsEverythingUpTo(upTo)) {
      this.token.pending = { pass, upTo };
      this.io.armOnce('nack', 0); // NACK for what we miss at once; the previous site keeps re-sending meanwhile
      return;
    }
    this.token.pending = null;
    this.token.holding = true;
    this.token.acceptedPass = pass;
    this.token.myAck = null;
    this.s.progress(pass, this.io.now);
    this.io.out(OUT.token, { pid: this.s.pid, view: this.s.orderView.key, pass, upTo });
    this.delivery.reportBuffers();
    if (this.hasWork()) return this.issueAck();
    this.io.mcast({ type: 'confirm', ...this.io.header(), pass, heldTo: this.s.haveTo });
    const unstable = this.s.log.stableTs < this.s.log.maxTs;
    this.io.arm('token-hold', unstable ? this.config.timers.tokenUnstableHoldUs : this.config.timers.tokenIdleUs);
  }

  /** The have cursor moved: a pending acceptance may now hold. */
  acceptPendingIfHeld(): void {
    const p = this.token.pending;
    if (p !== null && this.hooks.holdsEverythingUpTo(p.upTo)) {
      this.token.pending = null;
      this.tryAccept(p.pass, p.upTo);
    }
  }

  /** A holder with anything to order, or a change to make, acks at once (D2). */
  ackIfWork(): void {
    if (this.token.holding && this.s.isMember() && this.hasWork()) this.issueAck();
  }

  /** The hold time ran out with nothing to order: pass an empty ACK (D2, the idle rotation). */
  onHoldTimer(): void {
    if (this.token.holding && this.s.status === 'member') this.issueAck();
  }

  private hasWork(): boolean {
    return this.hasOrderable() || this.joinLeave.pendingChange();
  }

  /** Members' packets are ordered only while their source is in the view; non-members' always (D14). */
  private mayOrder(s: SourceStream): boolean {
    if (this.s.orderView.list.includes(s.src)) return true;
    const next = s.orderable().next();
    return !next.done && next.value[1].packet.type === 'nonMemberData';
  }

  private hasOrderable(): boolean {
    for (const s of this.s.sources.values()) if (this.mayOrder(s) && !s.orderable().next().done) return true;
    return false;
  }

  /** Orderable packets, merged across sources by arrival, each source in sequence order (D2). */
  private selectEntries(): OrderEntry[] {
    const heads: { src: Pid; it: Generator<[number, StoredData]>; cur: IteratorResult<[number, StoredData]> }[] = [];
    for (const s of this.s.sources.values()) {
      if (!this.mayOrder(s)) continue;
      const it = s.orderable();
      const cur = it.next();
      if (!cur.done) heads.push({ src: s.src, it, cur });
    }
    const out: OrderEntry[] = [];
    while (heads.length > 0 && out.length < ACK_ENTRIES_MAX) {
      let best = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i]!.cur.value![1].arrival < heads[best]!.cur.value![1].arrival) best = i;
      const h = heads[best]!;
      out.push({ src: h.src, seq: h.cur.value![0] });
      h.cur = h.it.next();
      if (h.cur.done) heads.splice(best, 1);
    }
    return out;
  }

  private issueAck(): void {
    const entries = this.selectEntries();
    const old = this.s.orderView;
    const { change, leaving } = this.joinLeave.changeFor(entries);
    const nextList = change?.list ?? old.list;
    let next = successor(nextList, this.s.pid); // alone in the group: ourselves
    if (!nextList.includes(this.s.pid)) {
      // We leave: the first member after us in the old order that stays.
      next = successor(old.list, this.s.pid);
      while (!nextList.includes(next)) next = successor(old.list, next);
    }
    const pass = this.token.acceptedPass + 1;
    const ack: AckPacket = { type: 'ack', ...this.io.header(), pass, tsBase: this.s.log.maxTs + 1, next, entries, change };
    const bytes = this.io.mcast(ack);
    this.stats.acksSent++;
    this.token.holding = false;
    this.token.myAck = { pass, bytes, retries: 0 };
    if (leaving) this.joinLeave.leaveIssued();
    this.io.arm('token-pass', this.config.timers.tokenPassRetryUs);
    this.hooks.applyOwnAck(ack, bytes);
  }

  /**
   * Re-send our ACK until an ACK or CONFIRM shows the pass accepted (D3); a leaver keeps
   * re-sending while it lingers. Returns true when the retries ran out: suspect the next site.
   */
  onPassTimer(): boolean {
    const mine = this.token.myAck;
    if (mine === null || this.s.lastAcceptedPass >= mine.pass || this.s.recovery !== null || !(this.s.participating() || this.s.status === 'left')) {
      this.token.myAck = null;
      return false;
    }
    if (mine.retries >= this.config.timers.tokenPassRetries) {
      this.token.myAck = null;
      return this.s.isMember();
    }
    mine.retries++;
    this.io.send(MULTICAST_NODE, mine.bytes);
    this.io.arm('token-pass', this.config.timers.tokenPassRetryUs);
    return false;
  }

  /** A new token site that ordered nothing confirms (D3): it holds up to `heldTo` (D6). */
  onConfirm(p: PacketOf<'confirm'>): void {
    if (this.s.status === 'left') return this.joinLeave.leaverSeesToken(p, p.pass);
    if (!this.s.participating() || `${p.viewEpoch}.${p.viewCreator}` !== this.s.orderView.key) return;
    this.joinLeave.heardFromMember(p.sender);
    this.s.log.noteHeld(p.sender, p.heldTo);
    if (p.pass > this.s.maxPassSeen) this.s.maxPassSeen = p.pass;
    this.s.progress(p.pass, this.io.now);
    this.delivery.afterHolding();
  }

  /** Blocked: neither hold nor re-send the token. */
  drop(): void {
    this.token.holding = false;
    this.token.myAck = null;
  }

  /** A reformation runs: nobody holds the token or waits to accept one (spec §8.3 step 2). */
  freeze(): void {
    this.drop();
    this.token.pending = null;
  }

  /** A reformation committed: the new view's chain starts at `basePass` (D1, D13). */
  restartChain(basePass: number): void {
    this.token = { holding: false, acceptedPass: this.token.acceptedPass, myAck: null, pending: null };
    this.s.lastAcceptedPass = basePass - 2;
    this.s.lastProgressUs = this.io.now;
  }
}
