// Loss recovery (spec §5.5, D5): NACK rounds for what this member misses (nack-plan.ts says
// what), addressed to the likely holder and every third round multicast, and the answers:
// stored DATA and ACKs re-sent inside RETRANS, damped per item by time.
import type { RmpConfig } from './config.js';
import { clientHop } from './forwarding.js';
import { NACK_WANTS_MAX } from './limits.js';
import { MULTICAST_NODE, type MemberIo } from './member-io.js';
import type { MemberState, MemberStats } from './member-state.js';
import { missingSomething, planNacks } from './nack-plan.js';
import { NackKind, type NackWant, type RmpPacket } from './packets.js';
import type { Pid } from './pid.js';

/** The largest timestamp on the wire (u32): an open-ended order NACK asks up to it. */
const TS_MAX = 0xffff_ffff;
/** Packets re-sent for one NACKed range: a forged or stale huge range costs bounded work. */
const RETRANS_PER_WANT_MAX = 256;
/** Every n-th NACK round is multicast instead of unicast: the likely holder may be gone (D5). */
const NACK_MULTICAST_EVERY = 3;

export class LossRecovery {
  /** NACK rounds so far: picks multicast rounds and rotates the likely holder (kept across incarnations). */
  private nackRound = 0;
  private lastCatchUpUs = -Infinity;
  /** When we last sent a lagging member the ACKs it missed (see helpLaggard). */
  private helpedAt = new Map<Pid, number>();

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly config: RmpConfig,
    private readonly stats: MemberStats,
  ) {}

  resetIncarnation(): void {
    this.helpedAt = new Map();
  }

  missingSomething(): boolean {
    return this.s.participating() && missingSomething(this.s.log, this.s.sources.values(), this.s.haveTo);
  }

  /** The first NACK waits one interval, so reordering gets a chance (D5). */
  armIfMissing(): void {
    if (this.missingSomething()) this.io.armOnce('nack', this.config.timers.nackIntervalUs);
  }

  nackRoundNow(): void {
    if (!this.missingSomething()) return;
    this.nackRound++;
    const { toHolder, bySource } = planNacks(this.s.log, this.s.sources, this.s.haveTo);
    const multicast = this.nackRound % NACK_MULTICAST_EVERY === 0;
    if (toHolder.length > 0) this.sendNack(multicast ? null : this.likelyHolder(), toHolder);
    // A client behind a forwarder is asked through it: the forwarder holds what it forwarded (D21).
    for (const [src, wants] of bySource) this.sendNack(multicast ? null : clientHop(this.s, src), wants);
    this.io.arm('nack', this.config.timers.nackIntervalUs);
  }

  /** Who most likely holds what we miss: the member known to hold the most, rotating on retries. */
  private likelyHolder(): Pid | null {
    const candidates = this.s.orderView.list.filter((p) => p !== this.s.pid).sort((a, b) => (this.s.log.heldTo.get(b) ?? 0) - (this.s.log.heldTo.get(a) ?? 0) || a - b);
    return candidates.length === 0 ? null : candidates[Math.floor(this.nackRound / NACK_MULTICAST_EVERY) % candidates.length]!;
  }

  /** Ask `holder` for every ACK above what we hold (an open-ended order NACK), at most once per NACK interval. */
  catchUpFrom(holder: Pid): void {
    if (this.io.now - this.lastCatchUpUs < this.config.timers.nackIntervalUs) return;
    this.lastCatchUpUs = this.io.now;
    this.sendNack(holder, [{ kind: NackKind.order, a: 0, b: this.s.haveTo + 1, c: TS_MAX }]);
  }

  private sendNack(to: Pid | null, wants: NackWant[]): void {
    this.stats.nacksSent++;
    const p: RmpPacket = { type: 'nack', ...this.io.header(), wants: wants.slice(0, NACK_WANTS_MAX) };
    if (to === null) this.io.mcast(p);
    else this.io.ucast(to, p);
  }

  onNack(wants: readonly NackWant[]): void {
    if (this.s.status === 'joining') return;
    const suppress = this.config.timers.retransSuppressUs;
    let ownLoss = false;
    for (const w of wants) {
      if (w.kind === NackKind.data) {
        const s = this.s.sources.get(w.a);
        if (s === undefined) continue;
        for (let seq = w.b; seq <= w.c && seq - w.b < RETRANS_PER_WANT_MAX; seq++) {
          const d = s.data.get(seq);
          if (d === undefined || this.io.now - d.lastRetransUs < suppress) continue;
          d.lastRetransUs = this.io.now;
          if (w.a === this.s.pid) {
            ownLoss = true;
            this.stats.retransmissions++;
            this.io.send(MULTICAST_NODE, d.bytes);
          } else this.io.retransmit(d.bytes);
        }
      } else if (this.s.log !== undefined) {
        this.answerOrderWant(w.b, w.c);
      }
    }
    if (ownLoss) this.s.sendQueue.lost();
  }

  /** Re-send the stored ACKs that ordered timestamps in [from, to] (damped per ACK). */
  answerOrderWant(from: number, to: number): void {
    for (const a of this.s.log.acksCovering(from, to)) {
      if (this.io.now - a.lastRetransUs < this.config.timers.retransSuppressUs) continue;
      a.lastRetransUs = this.io.now;
      this.io.retransmit(a.bytes);
    }
  }

  /**
   * A fellow member still sending an ACK (ending at `end`) of a view that has ended missed
   * what came next (it would otherwise retry until it suspects its successor): send it the
   * later ACKs, once per retry interval, so a network duplicate costs one round (D12).
   */
  helpLaggard(sender: Pid, end: number): void {
    if (!this.s.orderView.list.includes(sender) || this.io.now - (this.helpedAt.get(sender) ?? -Infinity) < this.config.timers.tokenPassRetryUs) return;
    this.helpedAt.set(sender, this.io.now);
    this.answerOrderWant(end + 1, TS_MAX);
  }
}
