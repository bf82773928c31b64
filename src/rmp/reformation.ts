// Reformation (spec §8.3, D12, D13): failure detection by token silence, the originator's
// RECOVERY_START and vote window, members' votes (delivery and the token frozen meanwhile),
// competing attempts, the new list (reformation-plan.ts decides it) and its commit — the
// order is cut at syncTs, entries above it are void and ordered again in the new view — or
// the abort that blocks a minority until it rejoins as new members (seed §4).
import type { RmpConfig } from './config.js';
import type { HaveCursor } from './have-cursor.js';
import type { JoinLeave } from './join-leave.js';
import type { LossRecovery } from './loss-recovery.js';
import { MULTICAST_NODE, type MemberIo } from './member-io.js';
import type { MemberState, MemberStats, Recovery } from './member-state.js';
import { OUT } from './outputs.js';
import { AbortReason, type PacketOf } from './packets.js';
import { REJOINS_PER_EPOCH, type Pid } from './pid.js';
import { planReformation, type Vote } from './reformation-plan.js';
import type { TokenSite } from './token-site.js';
import { makeView } from './view.js';

/** Re-sends of a reformation's new list before the originator stops (members then NACK/rejoin). */
const COMMIT_RETRIES_MAX = 20;
/** Vote windows an originator opens before it concludes it is in a minority: a lost vote is not a partition. */
const VOTE_ROUNDS_MAX = 3;

function cmpAttempt(a: number, ao: Pid, b: number, bo: Pid): number {
  return a !== b ? a - b : ao - bo;
}

export class Reformation {
  private highestAttempt = 0;
  /** Originator only: the new list, re-sent until every listed member sent in the new view. */
  private commitTracking: { bytes: Uint8Array; waiting: Set<Pid>; retries: number; view: string } | null = null;

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly config: RmpConfig,
    private readonly stats: MemberStats,
    private readonly token: TokenSite,
    private readonly have: HaveCursor,
    private readonly loss: LossRecovery,
    private readonly joinLeave: JoinLeave,
  ) {}

  resetIncarnation(): void {
    this.highestAttempt = 0;
    this.commitTracking = null;
  }

  /** Any packet a listed member sends in the view we committed shows it installed it. */
  heardFrom(p: { sender: Pid; viewEpoch: number; viewCreator: number }): void {
    if (this.commitTracking !== null && `${p.viewEpoch}.${p.viewCreator}` === this.commitTracking.view) this.commitTracking.waiting.delete(p.sender);
  }

  /** The failure detector looks at the token a few times per silence period. */
  watchSilence(): void {
    this.io.arm('silence', this.config.timers.tokenSilenceUs / 4);
  }

  onSilenceTimer(): void {
    this.watchSilence();
    if (!this.s.isMember() || this.s.recovery !== null || this.s.orderView.list.length < 2 || this.token.holding) return;
    const rank = Math.max(0, this.s.orderView.list.indexOf(this.s.pid));
    const t = this.config.timers;
    if (this.io.now - this.s.lastProgressUs > t.tokenSilenceUs + rank * t.silenceStaggerUs) this.startRecovery();
  }

  private myVote(): Vote {
    return { voter: this.s.pid, joinTs: this.s.joinTs, haveTo: this.s.haveTo, stableTs: this.s.log.stableTs, pass: this.s.maxPassSeen };
  }

  startRecovery(): void {
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
    this.token.freeze();
  }

  onStart(p: PacketOf<'recoveryStart'>): void {
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

  /** Originator: repeat the START through the vote window (a START may be lost too). */
  onStartTimer(): void {
    if (this.s.recovery?.votes && !this.s.recovery.abandoned) {
      this.io.mcast({ type: 'recoveryStart', ...this.io.header(), attempt: this.s.recovery.attempt });
      this.io.arm('recovery-start', this.config.timers.voteWindowUs / 3);
    }
  }

  /** Votes are unicast and may be lost: repeat ours until the new list arrives. */
  onRevoteTimer(): void {
    if (this.s.recovery !== null && this.s.recovery.votes === null && this.s.isMember()) {
      this.sendVote();
      this.io.arm('recovery-revote', this.config.timers.voteWindowUs / 3);
    }
  }

  /** No new list or abort came: start an attempt of our own. */
  onTimeout(): void {
    if (this.s.recovery !== null && this.s.status === 'member') this.startRecovery();
  }

  private sendVote(): void {
    const r = this.s.recovery!;
    const v = this.myVote();
    this.io.ucast(r.originator, { type: 'recoveryVote', ...this.io.header(), attempt: r.attempt, originator: r.originator, joinTs: v.joinTs, haveTo: v.haveTo, stableTs: v.stableTs, pass: v.pass });
  }

  onVote(p: PacketOf<'recoveryVote'>): void {
    const r = this.s.recovery;
    if (r?.votes == null || r.abandoned || !this.s.sameView(p) || p.attempt !== r.attempt || p.originator !== this.s.pid) return;
    r.votes.set(p.sender, { voter: p.sender, joinTs: p.joinTs, haveTo: p.haveTo, stableTs: p.stableTs, pass: p.pass });
  }

  onAbort(p: PacketOf<'recoveryAbort'>): void {
    const r = this.s.recovery;
    if (r === null || !this.s.sameView(p) || p.attempt !== r.attempt || p.originator !== r.originator) return;
    if (p.reason === AbortReason.minority) return this.block();
    if (r.originator === this.s.pid) {
      r.abandoned = true; // a higher attempt exists; its START will reach us, or our timeout fires
      this.io.arm('recovery-timeout', this.config.timers.recoveryTimeoutUs);
    }
  }

  /** The vote window closed (spec §8.3 step 4): commit a new list, open another window, or give up as a minority. */
  onVoteWindowEnd(): void {
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

  onCommitTimer(): void {
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

  onNewList(p: PacketOf<'recoveryNewList'>): void {
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
    this.have.dropRemovedOnceHeldPast(p.syncTs);
    this.joinLeave.forgetRemoved(removed);
    if (this.s.haveTo > p.syncTs) this.s.haveTo = p.syncTs;
    if (this.s.deliverTs > p.syncTs) this.io.invariant(`delivered ts ${this.s.deliverTs} beyond the reformation's syncTs ${p.syncTs}`);
    this.s.orderView = next;
    this.s.recovery = null;
    this.token.restartChain(p.basePass);
    this.io.out(OUT.reformed, { pid: this.s.pid, key: next.key, syncTs: p.syncTs, removed });
    this.have.advance();
    if (p.firstSite === this.s.pid) this.token.tryAccept(p.basePass - 1, p.syncTs + 1);
  }

  /** Blocked by a failed reformation, or left out of one: rejoin as a new member (seed §4). */
  private block(): void {
    this.s.recovery = null;
    this.token.drop();
    this.io.setStatus('blocked');
    if (this.config.autoRejoin && this.s.rejoins + 1 < REJOINS_PER_EPOCH) this.io.arm('rejoin', this.config.timers.rejoinAfterUs);
  }
}
