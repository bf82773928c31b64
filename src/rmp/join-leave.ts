// Join and leave (spec §8.1–8.2, D9, D11): a joiner asks until a change ACK adds it and
// starts after that ACK's timestamp with each source's stream after the ACK's frontier; the
// token site ends an ACK with the change that adds pending joiners or removes itself; a
// leaver delivers up to its change, lingers answering NACKs, then goes quiet.
import type { RmpConfig } from './config.js';
import { FRONTIER_SOURCES_MAX, MEMBERS_MAX } from './limits.js';
import type { MemberIo } from './member-io.js';
import type { MemberState } from './member-state.js';
import { OrderLog } from './order-log.js';
import { OUT, viewEntryId } from './outputs.js';
import type { AckPacket, OrderEntry, ViewChange } from './packets.js';
import type { Pid } from './pid.js';
import { foundingView, makeView, type View } from './view.js';

export class JoinLeave {
  /** Join requests heard, by joiner (its latest nonce). */
  private pendingJoins = new Map<Pid, number>();
  /** The change ACK that added each member, re-sent when it asks again (it missed it). */
  private joinAcks = new Map<Pid, Uint8Array>();
  private leaveRequested = false;
  private joinNonce = 0;

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly config: RmpConfig,
  ) {}

  resetIncarnation(): void {
    this.pendingJoins = new Map();
    this.joinAcks = new Map();
    this.leaveRequested = false;
  }

  /** Founders start in view 1 at timestamp 0. */
  found(): View {
    const v = foundingView(this.config.founders);
    this.becomeMember(v, 0, []);
    this.io.emitView(v, 0, 'founded');
    return v;
  }

  startJoining(): void {
    this.io.setStatus('joining');
    this.sendJoinRequest();
  }

  onJoinTimer(): void {
    if (this.s.status === 'joining') this.sendJoinRequest();
  }

  private sendJoinRequest(): void {
    this.io.mcast({ type: 'joinRequest', ...this.io.header(true), nonce: ++this.joinNonce });
    this.io.arm('join', this.config.timers.joinRetryUs);
  }

  /** The change ACK that adds us (spec §8.1): we start after its timestamp, which is returned. */
  joinedBy(p: AckPacket): number {
    const c = p.change!;
    const joinTs = p.tsBase + p.entries.length;
    const view = makeView(c.epoch, c.creator, c.list);
    this.becomeMember(view, joinTs, c.frontier);
    this.s.log.noteHeld(p.sender, joinTs);
    this.s.maxPassSeen = p.pass;
    this.s.progress(p.pass - 1, this.io.now);
    this.io.emitView(view, joinTs, 'joined');
    this.io.out(OUT.have, { pid: this.s.pid, id: viewEntryId(view.key), ts: joinTs });
    return joinTs;
  }

  private becomeMember(view: View, joinTs: number, frontier: readonly OrderEntry[]): void {
    this.s.orderView = view;
    this.s.joinTs = joinTs;
    this.s.log = new OrderLog(joinTs, view);
    this.s.haveTo = this.s.deliverTs = joinTs;
    this.s.log.noteHeld(this.s.pid, joinTs);
    for (const f of frontier) this.s.stream(f.src).startAfter(f.seq);
    this.s.lastProgressUs = this.io.now;
    this.io.setStatus('member');
  }

  onJoinRequest(from: Pid, nonce: number): void {
    if (!this.s.isMember()) return;
    if (this.s.orderView.list.includes(from)) {
      // It missed the ACK that added it.
      const bytes = this.joinAcks.get(from);
      if (bytes !== undefined) this.io.retransmit(bytes);
      return;
    }
    if (this.s.log.removed.has(from)) return;
    this.pendingJoins.set(from, nonce);
  }

  /** `from` sent in our view: it has the ACK that added it. */
  heardFromMember(from: Pid): void {
    this.joinAcks.delete(from);
  }

  /** A reformation removed these for good: their join requests are void (seed §4). */
  forgetRemoved(removed: readonly Pid[]): void {
    for (const x of removed) this.pendingJoins.delete(x);
  }

  requestLeave(): void {
    this.leaveRequested = true;
  }

  /** A change the token site should make now: a leave (never of the last member) or pending joins. */
  pendingChange(): boolean {
    return (this.leaveRequested && this.s.orderView.list.length > 1) || this.joinersToAdd().length > 0;
  }

  private joinersToAdd(): Pid[] {
    const room = MEMBERS_MAX - this.s.orderView.list.length;
    return [...this.pendingJoins.keys()].filter((p) => !this.s.orderView.list.includes(p) && !this.s.log.removed.has(p)).sort((a, b) => a - b).slice(0, Math.max(0, room));
  }

  /** The change our next ACK ends with, after `entries` (D1), and whether it removes us (D9). */
  changeFor(entries: readonly OrderEntry[]): { change: ViewChange | undefined; leaving: boolean } {
    const old = this.s.orderView;
    const joiners = this.joinersToAdd();
    const leaving = this.leaveRequested && old.list.length > 1;
    if (joiners.length === 0 && !leaving) return { change: undefined, leaving };
    const list = old.list.filter((p) => !(leaving && p === this.s.pid)).concat(joiners);
    return { change: { epoch: old.epoch + 1, creator: this.s.pid, list, joined: joiners, frontier: this.frontier(entries) }, leaving };
  }

  /** Our leave went out in an ACK. */
  leaveIssued(): void {
    this.leaveRequested = false;
  }

  /** Per source, the last sequence number ordered once this ACK's entries count (D11). */
  private frontier(entries: readonly OrderEntry[]): OrderEntry[] {
    const last = new Map<Pid, number>();
    for (const s of this.s.sources.values()) if (s.orderedTo > 0) last.set(s.src, s.orderedTo);
    for (const e of entries) last.set(e.src, Math.max(last.get(e.src) ?? 0, e.seq));
    return [...last].map(([src, seq]) => ({ src, seq })).slice(-FRONTIER_SOURCES_MAX);
  }

  /** A join or leave ordered at `ts` ends view `prev` there (D1); ours, if `prev` is our ordering view. */
  absorbChange(ts: number, c: ViewChange, prev: View, bytes: Uint8Array): void {
    if (ts <= this.s.log.releasedTs || this.s.log.entries.has(ts)) return;
    const next = makeView(c.epoch, c.creator, c.list);
    this.s.log.entries.set(ts, { kind: 'view', view: next, prev, cause: 'change' });
    this.s.log.changeView(prev, next, ts);
    if (prev !== this.s.orderView) return;
    this.s.orderView = next;
    for (const p of next.list) this.pendingJoins.delete(p);
    for (const p of c.joined) this.joinAcks.set(p, bytes);
    if (!next.list.includes(this.s.pid)) {
      // A leaver that cannot finish delivering (the token was lost with a failure) gives up after its linger time.
      this.io.setStatus('leaving');
      this.io.arm('linger', this.config.timers.leaveLingerUs);
    }
  }

  /** A leaver re-sends its last ACK until the view it made shows the token moved on (spec §8.2). */
  leaverSeesToken(p: { viewEpoch: number; viewCreator: number }, acceptedPass: number): void {
    if (p.viewEpoch === this.s.orderView.epoch && p.viewCreator === this.s.orderView.creator) this.s.progress(acceptedPass, this.io.now);
  }

  onLingerTimer(): void {
    if (this.s.status === 'left' || this.s.status === 'leaving') this.io.setStatus('gone');
  }
}
