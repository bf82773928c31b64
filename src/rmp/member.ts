// An RMP group member as a sans-IO core (src/sim/core.ts): the rotating token site with
// global timestamps in ACKs (spec §5, [CM]), NACK loss recovery, stability after a rotation,
// the seven QoS levels (§6), MaxN (§7), join / leave / reformation with virtual synchrony
// (§8), multi-RPC answers and handler locks (§9), forwarding for non-members (seed §5) and
// pluggable flow control (§10).
// decisions.md records every choice the seed leaves open (D1–D21) and which file holds each
// rule. This class decodes input, routes each event to the part that owns its rule, and
// owns the state the parts share (MemberState) and the effects they emit (MemberIo).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { AckProcessing } from './ack-processing.js';
import { rmpCommands, validSend } from './commands.js';
import type { RmpConfig } from './config.js';
import { DataReceipt } from './data-receipt.js';
import { DataSending } from './data-sending.js';
import { decodeCounted } from './decode-counted.js';
import { Forwarding } from './forwarding.js';
import { Delivery, holdersSuffice, type DeliverySink } from './delivery.js';
import { HaveCursor } from './have-cursor.js';
import { JoinLeave } from './join-leave.js';
import { LossRecovery } from './loss-recovery.js';
import { MemberIo, type MemberTimer } from './member-io.js';
import { MemberState, type MemberStats, type MemberStatus } from './member-state.js';
import { MultiRpc } from './multi-rpc.js';
import { OUT } from './outputs.js';
import { rmpPackets, type DataPacket, type RmpPacket } from './packets.js';
import { makePid, type Pid } from './pid.js';
import { Reformation } from './reformation.js';
import { SendQueue } from './send-queue.js';
import { TokenSite } from './token-site.js';
import type { View } from './view.js';

export class RmpMember implements Core {
  readonly stats: MemberStats = { decodeErrors: 0, badCommands: 0, foreignGroup: 0, orderConflicts: 0, nacksSent: 0, retransmissions: 0, acksSent: 0, reformations: 0 };
  private readonly s: MemberState;
  private readonly io: MemberIo;
  private readonly rpc: MultiRpc;
  private readonly delivery: Delivery;
  private readonly loss: LossRecovery;
  private readonly joinLeave: JoinLeave;
  private readonly token: TokenSite;
  private readonly have: HaveCursor;
  private readonly acks: AckProcessing;
  private readonly reformation: Reformation;
  private readonly receipt: DataReceipt;
  private readonly sending: DataSending;
  private readonly forwarding: Forwarding;

  constructor(
    private readonly node: NodeId,
    private readonly hostEpoch: number,
    private readonly config: RmpConfig,
    sink?: DeliverySink,
  ) {
    const s = (this.s = new MemberState(makePid(node, hostEpoch, 0), new SendQueue(config.flow(), config.retransBufferMaxBytes)));
    const io = (this.io = new MemberIo(s, config.group, this.stats));
    // Each part gets the parts it calls, in this order; the token site's own ACK goes back
    // through acks, the one call against that order.
    this.rpc = new MultiRpc(s, io, config);
    this.delivery = new Delivery(s, io, config, this.rpc, (ts, p) => this.deliverableNow(ts, p), sink);
    this.loss = new LossRecovery(s, io, config, this.stats);
    this.joinLeave = new JoinLeave(s, io, config);
    this.token = new TokenSite(s, io, config, this.stats, this.joinLeave, this.delivery, {
      holdsEverythingUpTo: (ts) => this.holdsEverythingUpTo(ts),
      applyOwnAck: (ack, bytes) => this.acks.onAck(ack, bytes),
    });
    this.have = new HaveCursor(s, io, this.token, this.delivery);
    this.acks = new AckProcessing(s, io, this.stats, this.token, this.joinLeave, this.loss, this.have);
    this.reformation = new Reformation(s, io, config, this.stats, this.token, this.have, this.loss, this.joinLeave);
    this.receipt = new DataReceipt(s, io, this.delivery, this.rpc, this.have);
    this.sending = new DataSending(s, io, config, this.receipt, this.delivery);
    this.forwarding = new Forwarding(s, io, config.group, this.stats, this.receipt);
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
        this.timer(event.timer as MemberTimer);
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
    if (this.config.founders.includes(this.s.pid)) this.token.founded(this.joinLeave.found());
    else if (restarted && this.config.autoRejoin) this.joinLeave.startJoining();
    this.reformation.watchSilence();
  }

  private resetIncarnation(): void {
    this.s.resetIncarnation(this.io.now);
    this.token.resetIncarnation();
    this.joinLeave.resetIncarnation();
    this.loss.resetIncarnation();
    this.rpc.resetIncarnation();
    this.reformation.resetIncarnation();
    this.have.resetIncarnation();
    this.sending.resetIncarnation();
    this.delivery.resetIncarnation();
    this.io.out(OUT.incarnation, { pid: this.s.pid, node: this.node });
  }

  /** A blocked member comes back only as a new one (seed §4, D20). */
  private rejoin(): void {
    this.s.rejoins++;
    this.s.pid = makePid(this.node, this.hostEpoch, this.s.rejoins);
    this.resetIncarnation();
    this.joinLeave.startJoining();
  }

  // ===================================================================== input

  private command(bytes: Uint8Array): void {
    const c = decodeCounted(rmpCommands, bytes, this.stats);
    if (c === null) return;
    if (c.type === 'send') {
      const send = validSend(c);
      if (send === null) this.stats.badCommands++;
      else this.sending.queue(send);
    } else if (c.type === 'lock') {
      this.sending.queueLockOperation(c.handler, c.acquire);
    } else if (c.type === 'join') {
      if (this.s.status === 'outside') this.joinLeave.startJoining();
    } else {
      this.joinLeave.requestLeave();
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
    this.reformation.heardFrom(p);
    this.dispatch(p, bytes, false);
  }

  private dispatch(p: RmpPacket, bytes: Uint8Array, retransmitted: boolean): void {
    switch (p.type) {
      case 'data':
      case 'nonMemberData':
        return this.receipt.onData(p, bytes);
      case 'ack':
        return this.acks.onAck(p, bytes);
      case 'retrans':
        if (retransmitted) return; // never nested
        return this.onRetrans(p.packet);
      case 'confirm':
        return this.token.onConfirm(p);
      case 'nack':
        return this.loss.onNack(p.wants);
      case 'joinRequest':
        return this.joinLeave.onJoinRequest(p.sender, p.nonce);
      case 'recoveryStart':
        return this.reformation.onStart(p);
      case 'recoveryVote':
        return this.reformation.onVote(p);
      case 'recoveryNewList':
        return this.reformation.onNewList(p);
      case 'recoveryAbort':
        return this.reformation.onAbort(p);
      case 'forward':
        if (retransmitted) return; // RETRANS carries only DATA and ACK
        return this.forwarding.onForward(p);
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

  private timer(name: MemberTimer): void {
    switch (name) {
      case 'join':
        return this.joinLeave.onJoinTimer();
      case 'rejoin':
        if (this.s.status === 'blocked') this.rejoin();
        return;
      case 'linger':
        return this.joinLeave.onLingerTimer();
      case 'token-hold':
        return this.token.onHoldTimer();
      case 'token-pass':
        if (this.token.onPassTimer()) this.reformation.startRecovery();
        return;
      case 'silence':
        return this.reformation.onSilenceTimer();
      case 'nack':
        return this.loss.nackRoundNow();
      case 'data-retry':
        return this.sending.onRetryTimer();
      case 'recovery-vote':
        return this.reformation.onVoteWindowEnd();
      case 'recovery-start':
        return this.reformation.onStartTimer();
      case 'recovery-revote':
        return this.reformation.onRevoteTimer();
      case 'recovery-timeout':
        return this.reformation.onTimeout();
      case 'recovery-commit':
        return this.reformation.onCommitTimer();
    }
  }

  /** After every event: send what flow control allows, ack what is orderable, arm the NACK and data-retry timers. */
  private afterEvent(): void {
    if (this.s.isMember()) this.sending.pump();
    this.token.ackIfWork();
    this.loss.armIfMissing();
    this.sending.armRetryIfUnordered();
  }

  // ===================================================================== rules a test variant may break

  /** The acceptance rule (spec §5.3, [CM]): overridden only by the weakened test variant. */
  protected holdsEverythingUpTo(ts: number): boolean {
    return this.s.haveTo >= ts;
  }

  /** K-resilient, majority and safe levels wait for holders (spec §6, D8): overridden only by the weakened test variant. */
  protected deliverableNow(ts: number, p: DataPacket): boolean {
    return holdersSuffice(this.s.log, ts, p);
  }

  // ===================================================================== for hosts

  /** Application messages waiting for flow control (hosts keep a saturating sender topped up by it). */
  get queuedMessages(): number {
    return this.s.sendQueue.length;
  }

  /** Current flow-control window, bytes. */
  get window(): number {
    return this.s.sendQueue.window;
  }

  /** The current ordering view, or null while not a member. */
  get view(): View | null {
    return this.s.isMember() ? this.s.orderView : null;
  }
}
