// An RMP group member as a sans-IO core (src/sim/core.ts): the rotating token site with
// global timestamps in ACKs (spec §5, [CM]), NACK loss recovery, stability after a rotation,
// the seven QoS levels (§6), MaxN (§7), join / leave / reformation with virtual synchrony
// (§8), multi-RPC answers and handler locks (§9) and pluggable flow control (§10).
// decisions.md records every choice the seed leaves open (D1–D20, cited below).
//
// Multicast is a `send` to MULTICAST_NODE; the host maps it to the group address (the
// simulator fans it out to every listener, the runtime uses the IP multicast socket).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { rmpCommands, validSend } from './commands.js';
import { decodeCounted } from './decode-counted.js';
import type { RmpConfig } from './config.js';
import { Delivery, holdersSuffice, type DeliverySink } from './delivery.js';
import { LossRecovery } from './loss-recovery.js';
import { MultiRpc } from './multi-rpc.js';
import { ACK_ENTRIES_MAX, FRONTIER_SOURCES_MAX, MEMBERS_MAX } from './limits.js';
import { orderingView, OrderLog } from './order-log.js';
import { OUT, packetId, unreliableId, viewEntryId } from './outputs.js';
import { AbortReason, DataControl, rmpPackets, type AckPacket, type DataPacket, type OrderEntry, type PacketOf, type RmpPacket, type ViewChange } from './packets.js';
import { makePid, REJOINS_PER_EPOCH, type Pid } from './pid.js';
import { Qos } from './qos.js';
import { planReformation, type Vote } from './reformation-plan.js';
import { MemberIo, MULTICAST_NODE } from './member-io.js';
import { MemberState, type MemberStats, type MemberStatus, type Recovery } from './member-state.js';
import { SendQueue, type Queued } from './send-queue.js';
import { SourceStream, type StoredData } from './source-stream.js';
import { foundingView, makeView, successor, type View } from './view.js';

/** Re-sends of a reformation's new list before the originator stops (members then NACK/rejoin). */
const COMMIT_RETRIES_MAX = 20;
/** Vote windows an originator opens before it concludes it is in a minority: a lost vote is not a partition. */
const VOTE_ROUNDS_MAX = 3;

interface TokenState {
  holding: boolean;
  /** Last pass this member accepted (it then issues acceptedPass + 1). */
  acceptedPass: number;
  /** Our last ACK, re-sent until the next site shows it accepted (spec §5.2). */
  myAck: { pass: number; bytes: Uint8Array; retries: number } | null;
  /** An ACK that names us, waiting until we hold everything it covers (spec §5.3). */
  pending: { pass: number; upTo: number } | null;
}

function cmpAttempt(a: number, ao: Pid, b: number, bo: Pid): number {
  return a !== b ? a - b : ao - bo;
}

export class RmpMember implements Core {
  readonly stats: MemberStats = { decodeErrors: 0, badCommands: 0, foreignGroup: 0, orderConflicts: 0, nacksSent: 0, retransmissions: 0, acksSent: 0, reformations: 0 };
  private readonly s: MemberState;
  private readonly io: MemberIo;
  private readonly rpc: MultiRpc;
  private readonly delivery: Delivery;
  private readonly loss: LossRecovery;
  private rejoins = 0;

  // ---- per incarnation (reset on rejoin) ----
  private token: TokenState = { holding: false, acceptedPass: -1, myAck: null, pending: null };
  private pendingJoins = new Map<Pid, number>();
  /** The change ACK that added each member, re-sent when it asks again (it missed it). */
  private joinAcks = new Map<Pid, Uint8Array>();
  private leaveRequested = false;
  private highestAttempt = 0;
  /** Once haveTo reaches this, removed sources' unordered packets can never be ordered (D14). */
  private dropRemovedFromTs = Infinity;
  private removedPurged = true;
  private commitTracking: { bytes: Uint8Array; waiting: Set<Pid>; retries: number; view: string } | null = null;
  private arrivals = 0;
  private joinNonce = 0;

  // ---- own sending (kept across a rejoin: the application's queue survives) ----
  private nextSeq = 0;
  private nextUnreliableSeq = 0;

  constructor(
    private readonly node: NodeId,
    private readonly hostEpoch: number,
    private readonly config: RmpConfig,
    sink?: DeliverySink,
  ) {
    this.s = new MemberState(makePid(node, hostEpoch, 0), new SendQueue(config.flow(), config.retransBufferMaxBytes));
    this.io = new MemberIo(this.s, config.group, this.stats);
    this.rpc = new MultiRpc(this.s, this.io, config);
    this.delivery = new Delivery(this.s, this.io, config, this.rpc, (ts, p) => this.deliverableNow(ts, p), sink);
    this.loss = new LossRecovery(this.s, this.io, config, this.stats);
  }

  get pid(): Pid {
    return this.s.pid;
  }

  get status(): MemberStatus {
    return this.s.status;
  }

  handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    this.io.begin(nowUs);
    switch (event.kind) {
      case 'start':
        this.begin(event.restarted);
        break;
      case 'receive':
        this.receive(event.bytes);
        break;
      case 'timer':
        this.io.fired(event.timer);
        this.timer(event.timer);
        break;
      case 'request':
        this.command(event.bytes);
        break;
      default:
        break;
    }
    if (this.s.status !== 'gone') this.afterEvent();
    return this.io.effects;
  }

  // ===================================================================== lifecycle

  /** Founders start in view 1; others wait for a join command, except a restarted process that rejoins by itself. */
  private begin(restarted: boolean): void {
    this.resetIncarnation();
    if (this.config.founders.includes(this.s.pid)) {
      const v = foundingView(this.config.founders);
      this.becomeMember(v, 0, []);
      this.io.emitView(v, 0, 'founded');
      this.s.lastAcceptedPass = 0;
      if (v.list[0] === this.s.pid) this.tryAcceptToken(0, 0);
    } else if (restarted && this.config.autoRejoin) {
      this.startJoining();
    }
    this.io.arm('silence', this.config.timers.tokenSilenceUs / 4);
  }

  private startJoining(): void {
    this.io.setStatus('joining');
    this.sendJoinRequest();
  }

  private resetIncarnation(): void {
    this.s.resetIncarnation(this.io.now);
    this.token = { holding: false, acceptedPass: -1, myAck: null, pending: null };
    this.pendingJoins = new Map();
    this.joinAcks = new Map();
    this.loss.resetIncarnation();
    this.leaveRequested = false;
    this.rpc.resetIncarnation();
    this.highestAttempt = 0;
    this.dropRemovedFromTs = Infinity;
    this.removedPurged = true;
    this.commitTracking = null;
    this.nextSeq = 0;
    this.nextUnreliableSeq = 0;
    this.s.sendQueue.restart(this.config.flow());
    this.delivery.resetIncarnation();
    this.io.out(OUT.incarnation, { pid: this.s.pid, node: this.node });
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

  /** Blocked by a failed reformation, or left out of one: rejoin as a new member (seed §4). */
  private block(): void {
    this.s.recovery = null;
    this.token.holding = false;
    this.token.myAck = null;
    this.io.setStatus('blocked');
    if (this.config.autoRejoin && this.rejoins + 1 < REJOINS_PER_EPOCH) this.io.arm('rejoin', this.config.timers.rejoinAfterUs);
  }

  private rejoin(): void {
    this.rejoins++;
    this.s.pid = makePid(this.node, this.hostEpoch, this.rejoins);
    this.resetIncarnation();
    this.startJoining();
  }

  private sendJoinRequest(): void {
    this.io.mcast({ type: 'joinRequest', ...this.io.header(true), nonce: ++this.joinNonce });
    this.io.arm('join', this.config.timers.joinRetryUs);
  }

  // ===================================================================== input

  private command(bytes: Uint8Array): void {
    const c = decodeCounted(rmpCommands, bytes, this.stats);
    if (c === null) return;
    if (c.type === 'send') {
      const send = validSend(c);
      if (send === null) this.stats.badCommands++;
      else this.s.sendQueue.push({ ...send, control: DataControl.none });
    } else if (c.type === 'lock') {
      this.s.sendQueue.push({ qos: Qos.totallyOrdered, k: 0, handler: c.handler, control: c.acquire ? DataControl.lockAcquire : DataControl.lockRelease, payload: new Uint8Array(0) });
    } else if (c.type === 'join') {
      if (this.s.status === 'outside') this.startJoining();
    } else {
      this.leaveRequested = true;
    }
  }

  private receive(bytes: Uint8Array): void {
    const p = decodeCounted(rmpPackets, bytes, this.stats);
    if (p === null) return;
    if (p.group !== this.config.group) {
      this.stats.foreignGroup++;
      return;
    }
    if (p.sender === this.s.pid) return;
    if (this.s.status === 'blocked' || this.s.status === 'gone' || this.s.status === 'outside') return;
    if (this.commitTracking !== null && `${p.viewEpoch}.${p.viewCreator}` === this.commitTracking.view) this.commitTracking.waiting.delete(p.sender);
    this.dispatch(p, bytes, false);
  }

  private dispatch(p: RmpPacket, bytes: Uint8Array, retransmitted: boolean): void {
    switch (p.type) {
      case 'data':
      case 'nonMemberData':
        return this.onData(p, bytes);
      case 'ack':
        return this.onAck(p, bytes);
      case 'retrans':
        if (retransmitted) return; // never nested
        return this.onRetrans(p.packet);
      case 'confirm':
        return this.onConfirm(p);
      case 'nack':
        return this.loss.onNack(p.wants);
      case 'joinRequest':
        return this.onJoinRequest(p.sender, p.nonce);
      case 'recoveryStart':
        return this.onRecoveryStart(p);
      case 'recoveryVote':
        return this.onRecoveryVote(p);
      case 'recoveryNewList':
        return this.onRecoveryNewList(p);
      case 'recoveryAbort':
        return this.onRecoveryAbort(p);
      case 'reply':
        return; // for non-members
    }
  }

  private onRetrans(inner: Uint8Array): void {
    const p = decodeCounted(rmpPackets, inner, this.stats);
    if (p === null) return;
    if (p.group !== this.config.group || (p.type !== 'data' && p.type !== 'nonMemberData' && p.type !== 'ack')) return;
    this.dispatch(p, inner, true);
  }

  private timer(name: string): void {
    const t = this.config.timers;
    switch (name) {
      case 'join':
        if (this.s.status === 'joining') this.sendJoinRequest();
        return;
      case 'rejoin':
        if (this.s.status === 'blocked') this.rejoin();
        return;
      case 'linger':
        if (this.s.status === 'left' || this.s.status === 'leaving') this.io.setStatus('gone');
        return;
      case 'token-hold':
        if (this.token.holding && this.s.status === 'member') this.issueAck();
        return;
      case 'token-pass':
        return this.tokenPassTimer();
      case 'silence':
        this.io.arm('silence', t.tokenSilenceUs / 4);
        return this.silenceCheck();
      case 'nack':
        return this.loss.nackRoundNow();
      case 'data-retry':
        return this.dataRetry();
      case 'recovery-vote':
        return this.decideReformation();
      case 'recovery-start':
        if (this.s.recovery?.votes && !this.s.recovery.abandoned) {
          this.io.mcast({ type: 'recoveryStart', ...this.io.header(), attempt: this.s.recovery.attempt });
          this.io.arm('recovery-start', t.voteWindowUs / 3);
        }
        return;
      case 'recovery-revote':
        // Votes are unicast and may be lost: repeat ours until the new list arrives.
        if (this.s.recovery !== null && this.s.recovery.votes === null && this.s.isMember()) {
          this.sendVote();
          this.io.arm('recovery-revote', t.voteWindowUs / 3);
        }
        return;
      case 'recovery-timeout':
        if (this.s.recovery !== null && this.s.status === 'member') this.startRecovery();
        return;
      case 'recovery-commit':
        return this.commitRetry();
    }
  }

  // ===================================================================== effects

  // ===================================================================== data

  private onData(p: DataPacket, bytes: Uint8Array): void {
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

  private store(s: SourceStream, p: DataPacket, bytes: Uint8Array): void {
    const size = p.messages.reduce((n, m) => n + m.length, 0);
    s.data.set(p.seq, { packet: p, bytes, size, arrival: ++this.arrivals, delivered: false, lastRetransUs: -Infinity, sentAtUs: this.io.now });
    if (p.seq > s.maxSeen) s.maxSeen = p.seq;
    if (p.qos === Qos.reliable) this.delivery.deliverStored(s, p.seq, -1); // on first receipt (spec §6), duplicates suppressed (D7)
    this.delivery.advanceChain(s);
    if (s.tsOf.has(p.seq)) this.advanceHave();
  }

  // ===================================================================== ordering

  private onAck(p: AckPacket, bytes: Uint8Array): void {
    if (this.s.status === 'joining') {
      if (p.change?.joined.includes(this.s.pid)) this.joinedBy(p);
      return;
    }
    if (this.s.status === 'left') return this.leaverSeesToken(p, p.pass - 1);
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
      this.absorbChange(ts, p.change, view, bytes);
    }
    end = Math.min(end, cut);
    if (end > this.s.log.maxTs) this.s.log.maxTs = end;
    if (end >= p.tsBase) this.s.log.storeAck(p.tsBase, end, bytes);
    this.s.log.noteHeld(p.sender, end);
    if (current) this.joinAcks.delete(p.sender);
    if (p.pass > this.s.maxPassSeen) this.s.maxPassSeen = p.pass;
    // Token evidence counts only in our chain: our view, or the change ACK that made it.
    const intoOurView = current || (p.change !== undefined && this.s.orderView.epoch === p.change.epoch && this.s.orderView.creator === p.change.creator);
    if (intoOurView) this.s.progress(p.pass - 1, this.io.now);
    else this.loss.helpLaggard(p.sender, end);
    // The next site accepts once (spec §5.3); a change ACK passes the token into the view it makes.
    if (p.next === this.s.pid && intoOurView && p.pass > Math.max(this.token.acceptedPass, this.s.lastAcceptedPass) && this.s.isMember()) this.tryAcceptToken(p.pass, end);
    this.advanceHave();
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

  private absorbChange(ts: number, c: ViewChange, prev: View, bytes: Uint8Array): void {
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

  /** The change ACK that adds us (spec §8.1): we start after its timestamp. */
  private joinedBy(p: AckPacket): void {
    const c = p.change!;
    const joinTs = p.tsBase + p.entries.length;
    const view = makeView(c.epoch, c.creator, c.list);
    this.becomeMember(view, joinTs, c.frontier);
    this.s.log.noteHeld(p.sender, joinTs);
    this.s.maxPassSeen = p.pass;
    this.s.progress(p.pass - 1, this.io.now);
    this.io.emitView(view, joinTs, 'joined');
    this.io.out(OUT.have, { pid: this.s.pid, id: viewEntryId(view.key), ts: joinTs });
    if (p.next === this.s.pid) this.tryAcceptToken(p.pass, joinTs);
  }

  /** A leaver re-sends its last ACK until the view it made shows the token moved on (spec §8.2). */
  private leaverSeesToken(p: { viewEpoch: number; viewCreator: number }, acceptedPass: number): void {
    if (p.viewEpoch === this.s.orderView.epoch && p.viewCreator === this.s.orderView.creator) this.s.progress(acceptedPass, this.io.now);
  }

  private onConfirm(p: PacketOf<'confirm'>): void {
    if (this.s.status === 'left') return this.leaverSeesToken(p, p.pass);
    if (!this.s.participating() || `${p.viewEpoch}.${p.viewCreator}` !== this.s.orderView.key) return;
    this.joinAcks.delete(p.sender); // it is in the view: it has the ACK that added it
    this.s.log.noteHeld(p.sender, p.heldTo);
    if (p.pass > this.s.maxPassSeen) this.s.maxPassSeen = p.pass;
    this.s.progress(p.pass, this.io.now);
    this.delivery.afterHolding();
  }

  /** The have cursor: every timestamp up to haveTo has its entry and, for data, its bytes. */
  private advanceHave(): void {
    const before = this.s.haveTo;
    for (;;) {
      const ts = this.s.haveTo + 1;
      const e = this.s.log.entries.get(ts);
      if (e === undefined) break;
      if (e.kind === 'data' && !this.s.stream(e.src).has(e.seq)) break;
      this.s.haveTo = ts;
      this.io.out(OUT.have, { pid: this.s.pid, id: e.kind === 'data' ? packetId(e.src, e.seq) : viewEntryId(e.view.key), ts });
    }
    if (this.s.haveTo !== before) {
      this.s.log.noteHeld(this.s.pid, this.s.haveTo);
      if (!this.removedPurged && this.s.haveTo >= this.dropRemovedFromTs) this.dropRemovedUnordered();
      const p = this.token.pending;
      if (p !== null && this.holdsEverythingUpTo(p.upTo)) {
        this.token.pending = null;
        this.tryAcceptToken(p.pass, p.upTo);
      }
    }
    this.delivery.afterHolding();
  }

  private dropRemovedUnordered(): void {
    this.removedPurged = true;
    for (const r of this.s.log.removed) {
      const s = this.s.sources.get(r);
      if (s === undefined) continue;
      for (const seq of [...s.data.keys()]) if (!s.tsOf.has(seq)) s.data.delete(seq);
    }
  }

  /** The acceptance rule (spec §5.3, [CM]): overridden only by the weakened test variant. */
  protected holdsEverythingUpTo(ts: number): boolean {
    return this.s.haveTo >= ts;
  }

  // ===================================================================== delivery (spec §6)

  /** K-resilient, majority and safe levels wait for holders (spec §6, D8): overridden only by the weakened test variant. */
  protected deliverableNow(ts: number, p: DataPacket): boolean {
    return holdersSuffice(this.s.log, ts, p);
  }

  // ===================================================================== token site (spec §5.2–5.3)

  private tryAcceptToken(pass: number, upTo: number): void {
    if (!this.s.isMember() || this.s.recovery !== null) return;
    if (!this.holdsEverythingUpTo(upTo)) {
      this.token.pending = { pass, upTo };
      this.io.armOnce('nack', 0);
      return;
    }
    this.token.pending = null;
    this.token.holding = true;
    this.token.acceptedPass = pass;
    this.token.myAck = null;
    this.s.progress(pass, this.io.now);
    this.io.out(OUT.token, { pid: this.s.pid, view: this.s.orderView.key, pass, upTo });
    this.delivery.reportBuffers();
    if (this.hasOrderable() || this.pendingChange()) return this.issueAck();
    this.io.mcast({ type: 'confirm', ...this.io.header(), pass, heldTo: this.s.haveTo });
    const unstable = this.s.log.stableTs < this.s.log.maxTs;
    this.io.arm('token-hold', unstable ? this.config.timers.tokenUnstableHoldUs : this.config.timers.tokenIdleUs);
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

  private pendingChange(): boolean {
    return (this.leaveRequested && this.s.orderView.list.length > 1) || this.joinersToAdd().length > 0;
  }

  private joinersToAdd(): Pid[] {
    const room = MEMBERS_MAX - this.s.orderView.list.length;
    return [...this.pendingJoins.keys()].filter((p) => !this.s.orderView.list.includes(p) && !this.s.log.removed.has(p)).sort((a, b) => a - b).slice(0, Math.max(0, room));
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
    let change: ViewChange | undefined;
    const joiners = this.joinersToAdd();
    const leaving = this.leaveRequested && old.list.length > 1;
    if (joiners.length > 0 || leaving) {
      const list = old.list.filter((p) => !(leaving && p === this.s.pid)).concat(joiners);
      change = { epoch: old.epoch + 1, creator: this.s.pid, list, joined: joiners, frontier: this.frontier(entries) };
    }
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
    if (leaving) this.leaveRequested = false;
    this.io.arm('token-pass', this.config.timers.tokenPassRetryUs);
    this.onAck(ack, bytes); // apply our own ACK exactly as everyone else does
  }

  /** Per source, the last sequence number ordered once this ACK's entries count (D11). */
  private frontier(entries: readonly OrderEntry[]): OrderEntry[] {
    const last = new Map<Pid, number>();
    for (const s of this.s.sources.values()) if (s.orderedTo > 0) last.set(s.src, s.orderedTo);
    for (const e of entries) last.set(e.src, Math.max(last.get(e.src) ?? 0, e.seq));
    return [...last].map(([src, seq]) => ({ src, seq })).slice(-FRONTIER_SOURCES_MAX);
  }

  private tokenPassTimer(): void {
    const mine = this.token.myAck;
    if (mine === null || this.s.lastAcceptedPass >= mine.pass || this.s.recovery !== null || !(this.s.participating() || this.s.status === 'left')) {
      this.token.myAck = null;
      return;
    }
    if (mine.retries >= this.config.timers.tokenPassRetries) {
      this.token.myAck = null;
      if (this.s.isMember()) this.startRecovery();
      return;
    }
    mine.retries++;
    this.io.send(MULTICAST_NODE, mine.bytes);
    this.io.arm('token-pass', this.config.timers.tokenPassRetryUs);
  }

  private silenceCheck(): void {
    if (!this.s.isMember() || this.s.recovery !== null || this.s.orderView.list.length < 2 || this.token.holding) return;
    const rank = Math.max(0, this.s.orderView.list.indexOf(this.s.pid));
    const t = this.config.timers;
    if (this.io.now - this.s.lastProgressUs > t.tokenSilenceUs + rank * t.silenceStaggerUs) this.startRecovery();
  }

  // ===================================================================== NACKs (spec §5.5)

  // ===================================================================== membership (spec §8.1–8.2)

  private onJoinRequest(from: Pid, nonce: number): void {
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

  // ===================================================================== reformation (spec §8.3)

  private myVote(): Vote {
    return { voter: this.s.pid, joinTs: this.s.joinTs, haveTo: this.s.haveTo, stableTs: this.s.log.stableTs, pass: this.s.maxPassSeen };
  }

  private startRecovery(): void {
    const attempt = Math.max(this.highestAttempt, this.s.orderView.epoch) + 1;
    this.highestAttempt = attempt;
    this.enterRecovery({ attempt, originator: this.s.pid, votes: new Map([[this.s.pid, this.myVote()]]), abandoned: false, rounds: 1 });
    this.io.mcast({ type: 'recoveryStart', ...this.io.header(), attempt });
    const t = this.config.timers;
    this.io.arm('recovery-vote', t.voteWindowUs);
    this.io.arm('recovery-start', t.voteWindowUs / 3);
    this.io.arm('recovery-timeout', t.voteWindowUs + t.recoveryTimeoutUs);
  }

  private enterRecovery(r: Recovery): void {
    if (this.s.recovery === null) this.stats.reformations++;
    this.s.recovery = r;
    this.token.holding = false;
    this.token.myAck = null;
    this.token.pending = null;
  }

  private onRecoveryStart(p: PacketOf<'recoveryStart'>): void {
    if (!this.s.sameView(p)) {
      // A fellow member reforms a newer view: we missed the change into it. Fetch the ACKs we
      // lack from the originator, so that its repeated START finds us in that view (D12).
      if (this.s.isMember() && p.viewEpoch > this.s.orderView.epoch && this.s.orderView.list.includes(p.sender)) this.loss.catchUpFrom(p.sender);
      return;
    }
    const r = this.s.recovery;
    if (r !== null) {
      const c = cmpAttempt(p.attempt, p.sender, r.attempt, r.originator);
      if (c < 0) {
        this.io.ucast(p.sender, { type: 'recoveryAbort', ...this.io.header(), attempt: p.attempt, originator: p.sender, reason: AbortReason.superseded });
        return;
      }
      if (c === 0) {
        this.sendVote();
        return;
      }
    }
    // A higher attempt (or the first we hear of): vote for it, abandoning ours (D12).
    this.highestAttempt = Math.max(this.highestAttempt, p.attempt);
    this.enterRecovery({ attempt: p.attempt, originator: p.sender, votes: null, abandoned: false, rounds: 0 });
    this.sendVote();
    this.io.arm('recovery-timeout', this.config.timers.recoveryTimeoutUs);
    this.io.arm('recovery-revote', this.config.timers.voteWindowUs / 3);
  }

  private sendVote(): void {
    const r = this.s.recovery!;
    const v = this.myVote();
    this.io.ucast(r.originator, { type: 'recoveryVote', ...this.io.header(), attempt: r.attempt, originator: r.originator, joinTs: v.joinTs, haveTo: v.haveTo, stableTs: v.stableTs, pass: v.pass });
  }

  private onRecoveryVote(p: PacketOf<'recoveryVote'>): void {
    const r = this.s.recovery;
    if (r?.votes == null || r.abandoned || !this.s.sameView(p) || p.attempt !== r.attempt || p.originator !== this.s.pid) return;
    r.votes.set(p.sender, { voter: p.sender, joinTs: p.joinTs, haveTo: p.haveTo, stableTs: p.stableTs, pass: p.pass });
  }

  private onRecoveryAbort(p: PacketOf<'recoveryAbort'>): void {
    const r = this.s.recovery;
    if (r === null || !this.s.sameView(p) || p.attempt !== r.attempt || p.originator !== r.originator) return;
    if (p.reason === AbortReason.minority) return this.block();
    if (r.originator === this.s.pid) {
      r.abandoned = true; // a higher attempt exists; its START will reach us, or our timeout fires
      this.io.arm('recovery-timeout', this.config.timers.recoveryTimeoutUs);
    }
  }

  private decideReformation(): void {
    const r = this.s.recovery;
    if (r?.votes == null || r.abandoned || r.originator !== this.s.pid || !this.s.isMember()) return;
    r.votes.set(this.s.pid, this.myVote());
    const plan = planReformation([...r.votes.values()], this.s.orderView.list, Math.max(this.s.log.maxN(), this.s.orderView.list.length), this.config.minPartition);
    if (plan.kind === 'abort' && r.rounds < VOTE_ROUNDS_MAX) {
      r.rounds++;
      this.io.mcast({ type: 'recoveryStart', ...this.io.header(), attempt: r.attempt });
      this.io.arm('recovery-vote', this.config.timers.voteWindowUs);
      this.io.arm('recovery-start', this.config.timers.voteWindowUs / 3);
      this.io.arm('recovery-timeout', this.config.timers.voteWindowUs + this.config.timers.recoveryTimeoutUs);
      return;
    }
    if (plan.kind === 'abort') {
      this.io.mcast({ type: 'recoveryAbort', ...this.io.header(), attempt: r.attempt, originator: this.s.pid, reason: AbortReason.minority });
      return this.block();
    }
    const packet: PacketOf<'recoveryNewList'> = { type: 'recoveryNewList', ...this.io.header(), attempt: r.attempt, list: plan.list, syncTs: plan.syncTs, firstSite: plan.firstSite, basePass: plan.basePass };
    const bytes = this.io.mcast(packet);
    this.commitTracking = { bytes, waiting: new Set(plan.list.filter((p) => p !== this.s.pid)), retries: 0, view: `${r.attempt}.${this.s.pid}` };
    this.io.arm('recovery-commit', this.config.timers.commitRetryUs);
    this.commit(packet);
  }

  private commitRetry(): void {
    const c = this.commitTracking;
    if (c === null) return;
    if (c.waiting.size === 0 || c.retries >= COMMIT_RETRIES_MAX) {
      this.commitTracking = null;
      return;
    }
    c.retries++;
    this.io.send(MULTICAST_NODE, c.bytes);
    this.io.arm('recovery-commit', this.config.timers.commitRetryUs);
  }

  private onRecoveryNewList(p: PacketOf<'recoveryNewList'>): void {
    const r = this.s.recovery;
    if (r === null || !this.s.sameView(p) || p.attempt !== r.attempt || p.sender !== r.originator) return;
    if (!p.list.includes(this.s.pid)) return this.block(); // left out: removed for good
    this.commit(p);
  }

  /** Install a reformation's outcome in the order (spec §8.3 steps 5–7). */
  private commit(p: PacketOf<'recoveryNewList'>): void {
    const old = this.s.orderView;
    const next = makeView(p.attempt, p.sender, p.list);
    const removed = old.list.filter((x) => !p.list.includes(x));
    for (const e of this.s.log.reform(p.syncTs, old, next, removed)) {
      if (e.kind !== 'data') continue;
      const s = this.s.stream(e.src);
      if (e.seq <= s.releasedTo) continue;
      s.unorder(e.seq);
      if (e.src === this.s.pid) this.s.sendQueue.unordered(s.data.get(e.seq)?.size ?? 0);
    }
    // A removed source's packets that no survivor ordered are dropped, once we know every
    // entry up to syncTs (one of them may still order such a packet) (D14).
    this.dropRemovedFromTs = p.syncTs + 1;
    this.removedPurged = false;
    for (const x of removed) this.pendingJoins.delete(x);
    if (this.s.haveTo > p.syncTs) this.s.haveTo = p.syncTs;
    if (this.s.deliverTs > p.syncTs) this.io.invariant(`delivered ts ${this.s.deliverTs} beyond the reformation's syncTs ${p.syncTs}`);
    this.s.orderView = next;
    this.s.recovery = null;
    this.token = { holding: false, acceptedPass: this.token.acceptedPass, myAck: null, pending: null };
    this.s.lastAcceptedPass = p.basePass - 2;
    this.s.lastProgressUs = this.io.now;
    this.io.out(OUT.reformed, { pid: this.s.pid, key: next.key, syncTs: p.syncTs, removed });
    this.advanceHave();
    if (p.firstSite === this.s.pid) this.tryAcceptToken(p.basePass - 1, p.syncTs + 1);
  }

  // ===================================================================== sending (spec §5.1, §10)

  private afterEvent(): void {
    if (this.s.isMember()) this.pump();
    if (this.token.holding && this.s.isMember() && (this.hasOrderable() || this.pendingChange())) this.issueAck();
    if (this.loss.missingSomething()) this.io.armOnce('nack', this.config.timers.nackIntervalUs);
    const own = this.s.sources.get(this.s.pid);
    if (own !== undefined && own.orderedTo < this.nextSeq && this.s.participating()) this.io.armOnce('data-retry', this.config.timers.dataRetryUs);
  }

  private pump(): void {
    for (let take = this.s.sendQueue.next(); take !== null; take = this.s.sendQueue.next()) {
      if (take[0]!.qos === Qos.unreliable) this.sendUnreliable(take[0]!);
      else this.sendData(take);
    }
  }

  private sendData(take: readonly Queued[]): void {
    const h = take[0]!;
    const seq = ++this.nextSeq;
    const p: DataPacket = { type: 'data', ...this.io.header(), seq, qos: h.qos, k: h.k, handler: h.handler, control: h.control, messages: take.map((m) => m.payload) };
    const bytes = this.io.mcast(p);
    const size = take.reduce((n, m) => n + m.payload.length, 0);
    this.s.sendQueue.sent(size);
    this.io.out(OUT.sent, { pid: this.s.pid, id: packetId(this.s.pid, seq), qos: h.qos, k: h.k, handler: h.handler, bytes: size });
    this.store(this.s.stream(this.s.pid), p, bytes);
  }

  private sendUnreliable(m: Queued): void {
    const seq = ++this.nextUnreliableSeq;
    const p: DataPacket = { type: 'data', ...this.io.header(), seq, qos: Qos.unreliable, k: 0, handler: m.handler, control: DataControl.none, messages: [m.payload] };
    this.io.mcast(p);
    this.io.out(OUT.sent, { pid: this.s.pid, id: unreliableId(this.s.pid, seq), qos: Qos.unreliable, k: 0, handler: m.handler, bytes: m.payload.length });
    this.delivery.deliver(p, -1, null, unreliableId(this.s.pid, seq));
  }

  private dataRetry(): void {
    const own = this.s.sources.get(this.s.pid);
    if (own === undefined || !this.s.participating()) return;
    let resent = false;
    for (const [seq, d] of own.data) {
      if (own.tsOf.has(seq) || this.io.now - d.sentAtUs < this.config.timers.dataRetryUs) continue;
      d.sentAtUs = this.io.now;
      resent = true;
      this.io.send(MULTICAST_NODE, d.bytes);
    }
    if (resent) this.s.sendQueue.lost();
    if (own.orderedTo < this.nextSeq) this.io.arm('data-retry', this.config.timers.dataRetryUs);
  }

  /** Application messages waiting for flow control (hosts keep a saturating sender topped up by it). */
  get queuedMessages(): number {
    return this.s.sendQueue.length;
  }

  /** Current flow-control window, bytes. */
  get window(): number {
    return this.s.sendQueue.window;
  }

  /** For hosts and tests: the current ordering view, or null while not a member. */
  get view(): View | null {
    return this.s.isMember() ? this.s.orderView : null;
  }

  /** The members that must hold timestamp `ts` for it to be stable (for checkers' diagnostics). */
  orderingViewOf(ts: number): View | undefined {
    const e = this.s.log?.entries.get(ts);
    return e === undefined ? undefined : orderingView(e);
  }
}
