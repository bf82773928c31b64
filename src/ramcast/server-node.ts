// A RamCast server process as a sans-IO Core (src/sim/core.ts): the native per-message core
// (native/ramcast/server_core.cc: Tasks 2–6, relay) plus the control plane of spec §5–6 in
// TypeScript, since leader change is rare: Ω over the failure detector, rounds, CATCH_UP
// (Tasks 7–9, catch-up.ts), fencing (fencing.ts) and client suspicion (Task 10).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { allServers, groupOf, isClient, quorum, validateTopology, type RamcastTopology } from './config.js';
import { catchUpReply, controlWire, reportOf, type ControlMessage } from './control-wire.js';
import { DecodeError } from '../wire/decode-error.js';
import { planCatchUp } from './catch-up.js';
import { TsFence } from './fencing.js';
import { ramcastNative, type CatchUpReport, type NativeServer, type RegionName, type ServerControl } from './native.js';
import { initialRound, roundEpoch, roundLeader, roundOf } from './round.js';
import { OUT_LEADER, toCoreEffects } from './trace.js';

/** CATCH_UP is re-sent to servers that have not answered after this long: in the simulator,
 *  whose network loses frames, a few of its 50–200 µs link delays. */
export const CATCH_UP_RETRY_US = 2_000;
const TIMER_CATCH_UP = 'ramcast.catch-up';
const REGIONS: ReadonlySet<string> = new Set<RegionName>(['ring', 'ts', 'ack']);

/** My leadership of one round: CATCH_UP replies gathered, and whether Task 9 has run. */
interface Campaign {
  round: number;
  replies: Map<NodeId, CatchUpReport>;
  settled: boolean;
}

export class RamcastServerNode implements Core {
  private readonly native: ServerControl;
  /** The simulator's way in for one-sided writes; the real runtime's driver needs none. */
  private readonly landed: NativeServer['landed'] | undefined;
  private readonly group: number;
  private readonly servers: NodeId[];
  private readonly fence: TsFence;
  private readonly suspected = new Set<NodeId>();
  /** Leader and round of every group as known here (mine included). */
  private readonly leaders: NodeId[];
  private readonly rounds: number[];
  private highestEpoch = 1;
  private campaign: Campaign | undefined;
  private started = false;
  /** Frames that failed to decode: counted and dropped (DESIGN principle 5). */
  badFrames = 0;

  /** `native`: the core to drive, by default a fresh one for the simulator; `catchUpRetryUs`:
   *  the CATCH_UP re-send interval (a real host on TCP, which loses nothing to a live peer,
   *  wants a long one: every answer is a full report). */
  constructor(
    private readonly topology: RamcastTopology,
    private readonly self: NodeId,
    native?: ServerControl,
    private readonly catchUpRetryUs = CATCH_UP_RETRY_US,
  ) {
    validateTopology(topology);
    this.group = groupOf(topology, self);
    if (this.group < 0) throw new Error(`node ${self} is not a RamCast server`);
    if (native) {
      this.native = native;
    } else {
      const simulated = new (ramcastNative().RamcastServer)(topology, self);
      this.native = simulated;
      this.landed = simulated.landed.bind(simulated);
    }
    this.servers = allServers(topology);
    this.fence = new TsFence(self, this.servers);
    this.leaders = topology.groups.map((members) => Math.min(...members));
    this.rounds = this.leaders.map((l) => initialRound(l));
  }

  handle(_nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    const fx: CoreEffect[] = [];
    switch (event.kind) {
      case 'start':
        // Crash-stop model (spec §1): a restarted server lost its buffers and must not vote.
        if (event.restarted) return [{ kind: 'output', name: 'ramcast.restart-ignored', data: { node: this.self } }];
        this.started = true;
        fx.push(...this.fence.initial(this.allowedWriters()));
        break;
      case 'memory':
        if (!this.started || !REGIONS.has(event.region) || !this.landed) return [];
        this.landed(event.from, event.region as RegionName, event.offset, event.bytes);
        break;
      case 'receive':
        if (!this.started) return [];
        fx.push(...this.receive(event.from, event.bytes));
        break;
      case 'suspect':
        if (!this.started) return [];
        if (isClient(this.topology, event.node)) {
          if (event.suspected) this.native.suspectClient(event.node);
        } else {
          if (event.suspected) this.suspected.add(event.node);
          else this.suspected.delete(event.node);
          fx.push(...this.omega());
        }
        break;
      case 'timer':
        if (event.timer === TIMER_CATCH_UP && this.campaign) fx.push(...this.sendCatchUp(true));
        break;
      default:
        break;
    }
    fx.push(...toCoreEffects(this.native.takeEffects()));
    return fx;
  }

  /** Leader, round and counters of this server (tests and the main job read them). */
  info() {
    return { ...this.native.info(), campaigning: this.campaign?.settled === false, badFrames: this.badFrames };
  }

  /** Undelivered messages here, for a failing seed's report. */
  describePending(): string {
    return this.native.describePending();
  }

  // --- Ω and Task 7 ------------------------------------------------------------------------

  /** Ω for my group: the smallest member I do not suspect (spec §6 initial-leader rule). */
  private trusted(): NodeId {
    return Math.min(...this.topology.groups[this.group]!.filter((n) => n === this.self || !this.suspected.has(n)));
  }

  private omega(): CoreEffect[] {
    if (this.trusted() !== this.self || this.leaders[this.group] === this.self) return [];
    return this.startCampaign();
  }

  private startCampaign(): CoreEffect[] {
    // Task 7: a fresh round above every epoch seen, then CATCH_UP to every server.
    this.highestEpoch = Math.max(this.highestEpoch, roundEpoch(this.rounds[this.group]!)) + 1;
    const round = roundOf(this.highestEpoch, this.self);
    this.native.installRound(round);
    this.rounds[this.group] = round;
    this.leaders[this.group] = this.self;
    this.campaign = { round, replies: new Map([[this.self, this.native.report(this.group)]]), settled: false };
    const fx = this.fence.update(this.allowedWriters());
    fx.push(...this.sendCatchUp(false));
    fx.push(...this.maybeSettle());
    return fx;
  }

  /** CATCH_UP to every server that has not answered and is not suspected; re-armed until all have. */
  private sendCatchUp(retry: boolean): CoreEffect[] {
    const c = this.campaign!;
    const bytes = controlWire.encode({ type: 'catch-up', group: this.group, round: c.round });
    const waiting = this.servers.filter((n) => n !== this.self && !c.replies.has(n) && !(retry && this.suspected.has(n)));
    const fx: CoreEffect[] = waiting.map((to) => ({ kind: 'send', to, bytes }) as CoreEffect);
    if (waiting.length > 0) fx.push({ kind: 'set-timer', timer: TIMER_CATCH_UP, afterUs: this.catchUpRetryUs });
    return fx;
  }

  // --- Task 8 and Task 9 ---------------------------------------------------------------------

  private receive(from: NodeId, bytes: Uint8Array): CoreEffect[] {
    let msg: ControlMessage;
    try {
      msg = controlWire.decode(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.badFrames++;
      return [];
    }
    // A CATCH_UP names its sender as the round's leader (D11); replies and NACKs name others.
    if (msg.group >= this.topology.groups.length || (msg.type === 'catch-up' && roundLeader(msg.round) !== from)) {
      this.badFrames++;
      return [];
    }
    switch (msg.type) {
      case 'catch-up':
        return this.answerCatchUp(from, msg.group, msg.round);
      case 'catch-up-reply':
        if (this.campaign?.round !== msg.round || msg.group !== this.group) return [];
        return this.collect(from, reportOf(msg));
      case 'nack':
        return this.nacked(msg.round);
    }
  }

  private answerCatchUp(from: NodeId, g: number, round: number): CoreEffect[] {
    const fx: CoreEffect[] = [];
    this.highestEpoch = Math.max(this.highestEpoch, roundEpoch(round));
    if (round < this.rounds[g]! || (g === this.group && round === this.rounds[g] && this.leaders[g] !== from)) {
      return [{ kind: 'send', to: from, bytes: controlWire.encode({ type: 'nack', group: g, round: this.rounds[g]! }) }];
    }
    if (round > this.rounds[g]!) {
      this.rounds[g] = round;
      this.leaders[g] = from;
      if (g === this.group) {
        // Task 8 in my group: promise the round; only its leader may write my TS (fencing).
        this.native.installRound(round);
        this.campaign = undefined;
        fx.push({ kind: 'cancel-timer', timer: TIMER_CATCH_UP });
      } else {
        this.native.setGroupLeader(g, from);
      }
      fx.push(...this.fence.update(this.allowedWriters()));
      fx.push({ kind: 'output', name: OUT_LEADER, data: { group: g, round, leader: from } });
    }
    const report = this.native.report(g);
    fx.push({ kind: 'send', to: from, bytes: controlWire.encode(catchUpReply(g, round, report)) });
    return fx;
  }

  private collect(from: NodeId, report: CatchUpReport): CoreEffect[] {
    const c = this.campaign!;
    if (c.replies.has(from)) return [];
    c.replies.set(from, report);
    if (!c.settled) return this.maybeSettle();
    // A late promise: my writes to it before may have met its old fence (§6), so resend.
    this.native.resync(from);
    return [];
  }

  private maybeSettle(): CoreEffect[] {
    const c = this.campaign!;
    if (c.settled) return [];
    const members = this.topology.groups[this.group]!;
    const answered = members.filter((n) => c.replies.has(n)).length;
    if (answered < quorum(this.topology, this.group)) return [];
    // Task 9 with a majority of my group (D7); other groups' replies so far are hints.
    const plan = planCatchUp(this.topology, this.group, c.replies);
    this.native.observeClock(plan.clock);
    for (const s of plan.settlements) this.native.settle(s.image, s.value, s.foreign);
    this.native.openRound([...c.replies.keys()]);
    c.settled = true;
    return [{ kind: 'output', name: OUT_LEADER, data: { group: this.group, round: c.round, leader: this.self } }];
  }

  private nacked(round: number): CoreEffect[] {
    this.highestEpoch = Math.max(this.highestEpoch, roundEpoch(round));
    if (!this.campaign || this.campaign.settled || round <= this.campaign.round) return [];
    // A member already promised a higher round: retry above it while Ω still names me.
    this.campaign = undefined;
    return this.trusted() === this.self ? this.startCampaign() : [];
  }

  private allowedWriters(): NodeId[] {
    const allowed = [this.leaders[this.group]!];
    if (this.leaders[this.group] === this.self) allowed.push(...this.leaders.filter((_, g) => g !== this.group));
    return allowed;
  }
}
