// The state several parts of a member read (spec §4 per-member state): who this process is,
// the ordering view, the order log and per-source streams, the have and delivery cursors,
// what the token traffic showed, whether a reformation runs, and the own send queue. Each
// part keeps what only it uses; this is what they share, passed to each explicitly.
import type { TimeUs } from '../sim/core.js';
import type { OrderLog } from './order-log.js';
import type { Pid } from './pid.js';
import type { Vote } from './reformation-plan.js';
import type { SendQueue } from './send-queue.js';
import { SourceStream } from './source-stream.js';
import type { View } from './view.js';

export type MemberStatus = 'outside' | 'joining' | 'member' | 'leaving' | 'left' | 'blocked' | 'gone';

/** Counters a host exports as metrics. */
export interface MemberStats {
  decodeErrors: number;
  /** Commands with a QoS or K outside the protocol's range. */
  badCommands: number;
  foreignGroup: number;
  orderConflicts: number;
  nacksSent: number;
  retransmissions: number;
  acksSent: number;
  reformations: number;
}

/** A reformation this member takes part in (spec §8.3). */
export interface Recovery {
  attempt: number;
  originator: Pid;
  /** Originator only: votes so far. */
  votes: Map<Pid, Vote> | null;
  /** Our attempt was superseded; waiting for the winner's start. */
  abandoned: boolean;
  /** Originator only: vote windows opened so far. */
  rounds: number;
}

export class MemberState {
  status: MemberStatus = 'outside';
  /** Rejoins in this host epoch so far: part of the next process id (D20). */
  rejoins = 0;

  // ---- per incarnation (reset on rejoin) ----
  /** The view new entries are ordered in (set once a member; kept while joining again). */
  orderView!: View;
  /** The view the application last saw installed. */
  installed: View | null = null;
  joinTs = 0;
  log!: OrderLog;
  sources = new Map<Pid, SourceStream>();
  /** Every timestamp up to haveTo has its entry and, for data, its bytes. */
  haveTo = 0;
  /** Total-order delivery cursor (spec §4 delivTs). */
  deliverTs = 0;
  /** Highest pass known accepted in the current chain (evidence for our ACK, progress). */
  lastAcceptedPass = -1;
  /** Highest pass seen on any ACK or CONFIRM (reported in votes, D13). */
  maxPassSeen = 0;
  /** When the token last moved on: the failure detector's clock (D12). */
  lastProgressUs = 0;
  /** While set, total-order delivery is frozen and nobody accepts the token (spec §8.3 step 2). */
  recovery: Recovery | null = null;

  constructor(
    public pid: Pid,
    /** Own outgoing messages (kept across a rejoin: the application's queue survives). */
    readonly sendQueue: SendQueue,
  ) {}

  /** A new incarnation: nothing of the old one's order, holding or token survives. */
  resetIncarnation(nowUs: TimeUs): void {
    this.installed = null;
    this.joinTs = 0;
    this.sources = new Map();
    this.haveTo = this.deliverTs = 0;
    this.lastAcceptedPass = -1;
    this.maxPassSeen = 0;
    this.lastProgressUs = nowUs;
    this.recovery = null;
  }

  stream(src: Pid): SourceStream {
    let s = this.sources.get(src);
    if (s === undefined) this.sources.set(src, (s = new SourceStream(src)));
    return s;
  }

  /** Members and leavers that still deliver what their last view ordered. */
  participating(): boolean {
    return this.status === 'member' || this.status === 'leaving';
  }

  isMember(): boolean {
    return this.status === 'member';
  }

  /** The packet was sent in our current ordering view. */
  sameView(p: { viewEpoch: number; viewCreator: number }): boolean {
    return this.isMember() && p.viewEpoch === this.orderView.epoch && p.viewCreator === this.orderView.creator;
  }

  /** Token evidence: someone accepted `acceptedPass`, so the token is alive. */
  progress(acceptedPass: number, nowUs: TimeUs): void {
    if (acceptedPass > this.lastAcceptedPass) {
      this.lastAcceptedPass = acceptedPass;
      this.lastProgressUs = nowUs;
    }
  }
}
