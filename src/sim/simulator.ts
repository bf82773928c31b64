// The deterministic discrete-event simulator (DESIGN principle 1; models: FoundationDB's
// simulation, TigerBeetle's VOPR). It owns the virtual clock, the agenda, the network and the
// fault schedule, hands events to sans-IO cores and applies the effects they return. A run is
// a function of (seed, setup): every random choice comes from streams forked off the seed,
// and the agenda breaks ties by insertion order.
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from './core.js';
import { EventQueue } from './event-queue.js';
import { Network } from './network.js';
import { Rng } from './prng.js';
import type { NodeStatus, Property, RunEnd, RunView, Violation } from './property.js';
import type { ByzantineWrap, CryptoHandler, FaultSpec, InputSpec, SimSetup } from './setup.js';
import { payloadDigest, Trace, type TraceRecord } from './trace.js';
import { UsageMeter, type UsageWindow } from './usage-meter.js';

/**
 * Independent random streams per subsystem (see Rng.fork): a scenario that draws one more
 * number while building does not change the network's or the crypto model's draws.
 */
export const RNG_STREAM = { build: 1, network: 2, crypto: 3, byzantineBase: 1000 } as const;

/** Ten million events: far beyond any test scenario; stops a core that loops in zero time. */
export const DEFAULT_MAX_EVENTS = 10_000_000;

const enum Ev {
  Start,
  Deliver,
  Write,
  Timer,
  Request,
  Suspect,
  CryptoResult,
  Crash,
  Restart,
  Pause,
  Resume,
  Partition,
  Heal,
  Byzantine,
}

/** One agenda entry; a single shape for every kind keeps the hot path monomorphic. */
interface Entry {
  t: TimeUs;
  seq: number;
  ev: Ev;
  node: NodeId;
  /** Sender / writer / suspected node / partition id. */
  peer: NodeId;
  /** Target incarnation (timers, crypto, suspicion) or sender incarnation (messages). */
  inc: number;
  name: string;
  offset: number;
  bytes: Uint8Array | null;
  /** Timer generation; for messages, when the first bit left the sender. */
  aux: number;
  /** start: restarted; suspect: suspected; crypto: ok; message or write: already landed. */
  flag: boolean;
  fault: FaultSpec | null;
}

interface NodeState {
  core: Core;
  status: NodeStatus;
  /** Crash times; its length is the current incarnation. */
  crashes: TimeUs[];
  timers: Map<string, number>;
  /** Region → peers whose remote-write permission was revoked (writes are allowed by default). */
  revoked: Map<string, Set<NodeId>>;
  cryptoBusyUntilUs: TimeUs;
  /** Events that arrived while paused, replayed in order on resume. */
  pending: Entry[];
  wrap: ByzantineWrap | null;
  faulty: boolean;
}

export interface SimOptions {
  seed: number;
  /** Keep every trace record (for replay, dumping, `needsFullTrace` properties). */
  retainTrace?: boolean;
  /** Meter crypto CPU and bytes sent inside this window (RunResult.usage). */
  usageWindow?: UsageWindow;
}

export interface RunResult {
  seed: number;
  steps: number;
  records: number;
  endUs: TimeUs;
  ended: RunEnd;
  violation: Violation | null;
  traceHash: string;
  trace: Trace;
  /** Present when SimOptions.usageWindow was given. */
  usage?: UsageMeter;
}

export class Simulator implements RunView {
  readonly seed: number;
  readonly trace: Trace;
  readonly nodeCount: number;
  nowUs: TimeUs = 0;
  steps = 0;
  ended: RunEnd | null = null;

  private readonly queue = new EventQueue<Entry>();
  private readonly rng: Rng;
  private readonly network: Network;
  private readonly cryptoRng: Rng;
  private readonly nodes: NodeState[];
  private readonly properties: Property[];
  private readonly incremental: Property[];
  private readonly crypto: CryptoHandler | undefined;
  private readonly usage: UsageMeter | undefined;
  private violation: Violation | null = null;
  private timerGeneration = 0;
  private partitionIds = 0;

  constructor(private readonly setup: SimSetup, options: SimOptions) {
    this.seed = options.seed;
    this.rng = new Rng(options.seed);
    this.nodeCount = setup.nodes.length;
    if (this.nodeCount === 0) throw new RangeError('a simulation needs at least one node');
    if (!(setup.limitUs > 0)) throw new RangeError(`limitUs must be > 0, got ${setup.limitUs}`);
    this.properties = setup.properties ?? [];
    this.incremental = this.properties.filter((p) => p.onRecord !== undefined);
    this.trace = new Trace(options.retainTrace === true || this.properties.some((p) => p.needsFullTrace));
    this.network = new Network(this.nodeCount, setup.network, this.rng.fork(RNG_STREAM.network));
    this.cryptoRng = this.rng.fork(RNG_STREAM.crypto);
    this.crypto = setup.crypto;
    this.usage = options.usageWindow && new UsageMeter(options.usageWindow, this.nodeCount);
    this.nodes = setup.nodes.map((factory, i) => ({
      core: factory(i, 0),
      status: 'up',
      crashes: [],
      timers: new Map(),
      revoked: new Map(),
      cryptoBusyUntilUs: 0,
      pending: [],
      wrap: null,
      faulty: false,
    }));
  }

  // ---- RunView ----
  status(node: NodeId): NodeStatus {
    return this.node(node).status;
  }
  faulty(node: NodeId): boolean {
    return this.node(node).faulty;
  }
  byzantine(node: NodeId): boolean {
    return this.node(node).wrap !== null;
  }

  /** Swap a node's core now (the Byzantine hook; also used by `byzantine` faults). */
  replaceCore(node: NodeId, wrap: ByzantineWrap): void {
    const n = this.node(node);
    n.wrap = wrap;
    n.faulty = true;
    n.core = wrap(n.core, this.byzantineRng(node), node);
  }

  /** A Byzantine core's own stream, fresh for each incarnation so a restart does not replay it. */
  private byzantineRng(node: NodeId): Rng {
    return this.rng.fork(RNG_STREAM.byzantineBase + node + this.nodeCount * this.nodes[node]!.crashes.length);
  }

  run(): RunResult {
    if (this.ended !== null) throw new Error('a Simulator runs once; make a new one to run again');
    this.schedulePlan();
    const limit = this.setup.limitUs;
    const maxEvents = this.setup.maxEvents ?? DEFAULT_MAX_EVENTS;
    const stopWhen = this.setup.stopWhen;
    for (;;) {
      if (this.violation) {
        this.ended = 'violation';
        break;
      }
      const next = this.queue.peek();
      if (next === undefined) {
        this.ended = 'idle';
        break;
      }
      if (next.t > limit) {
        this.nowUs = limit;
        this.ended = 'limit';
        break;
      }
      if (this.steps >= maxEvents) {
        this.ended = 'max-events';
        break;
      }
      this.queue.pop();
      this.nowUs = next.t;
      this.steps++;
      this.dispatch(next);
      if (stopWhen !== undefined && !this.violation && stopWhen(this)) {
        this.ended = 'stop';
        break;
      }
    }
    for (const p of this.properties) {
      if (this.violation) break;
      const message = p.check?.(this) ?? null;
      if (message !== null) this.violate(p, message);
    }
    return {
      seed: this.seed,
      steps: this.steps,
      records: this.trace.count,
      endUs: this.nowUs,
      ended: this.ended,
      violation: this.violation,
      traceHash: this.trace.hash(),
      trace: this.trace,
      ...(this.usage && { usage: this.usage }),
    };
  }

  // ---- scheduling ----

  private entry(t: TimeUs, ev: Ev, node: NodeId): Entry {
    return { t, seq: 0, ev, node, peer: -1, inc: 0, name: '', offset: 0, bytes: null, aux: 0, flag: false, fault: null };
  }

  private schedulePlan(): void {
    for (let i = 0; i < this.nodeCount; i++) this.queue.push(this.entry(0, Ev.Start, i));
    for (const f of this.setup.faults ?? []) this.scheduleFault(f);
    for (const input of this.setup.inputs ?? []) this.scheduleInput(input);
  }

  private scheduleFault(f: FaultSpec): void {
    if (f.kind !== 'partition') this.node(f.node);
    else f.groups.flat().forEach((n) => this.node(n));
    const ev = f.kind === 'crash' ? Ev.Crash : f.kind === 'pause' ? Ev.Pause : f.kind === 'partition' ? Ev.Partition : Ev.Byzantine;
    const e = this.entry(f.atUs, ev, f.kind === 'partition' ? -1 : f.node);
    e.fault = f;
    this.queue.push(e);
  }

  private scheduleInput(input: InputSpec): void {
    this.node(input.node);
    if (input.kind === 'request') {
      const e = this.entry(input.atUs, Ev.Request, input.node);
      e.bytes = input.bytes;
      this.queue.push(e);
    } else {
      this.node(input.peer);
      this.pushSuspect(input.atUs, input.node, input.peer, input.suspected);
    }
  }

  private pushSuspect(t: TimeUs, node: NodeId, peer: NodeId, suspected: boolean): void {
    const e = this.entry(t, Ev.Suspect, node);
    e.peer = peer;
    e.flag = suspected;
    e.inc = this.nodes[node]!.crashes.length;
    this.queue.push(e);
  }

  private node(id: NodeId): NodeState {
    const n = this.nodes[id];
    if (n === undefined) throw new RangeError(`no node ${id} (the cluster has ${this.nodeCount} nodes: 0..${this.nodeCount - 1})`);
    return n;
  }

  // ---- dispatch ----

  private dispatch(e: Entry): void {
    switch (e.ev) {
      case Ev.Crash:
        return this.crash(e);
      case Ev.Restart:
        return this.restart(e.node);
      case Ev.Pause:
        return this.pause(e);
      case Ev.Resume:
        return this.resume(e);
      case Ev.Partition:
        return this.partition(e);
      case Ev.Heal:
        this.network.heal(e.peer);
        return this.record({ t: this.nowUs, node: -1, kind: 'heal', info: `partition ${e.peer}` });
      case Ev.Byzantine: {
        const f = e.fault as Extract<FaultSpec, { kind: 'byzantine' }>;
        this.replaceCore(e.node, f.wrap);
        return this.record({ t: this.nowUs, node: e.node, kind: 'byzantine' });
      }
      default:
        return this.toNode(e);
    }
  }

  /** An event addressed to a node's core: checked against the node's state, then handled. */
  private toNode(e: Entry): void {
    const n = this.nodes[e.node]!;
    if (e.ev === Ev.Deliver || e.ev === Ev.Write) {
      // `flag`: it landed while the node was paused and passed these checks then.
      if (!e.flag && this.lostInFlight(e, n)) return;
      if (!e.flag && e.ev === Ev.Write && n.revoked.get(e.name)?.has(e.peer)) {
        // Fencing (spec/ramcast.md §6): the NIC refuses the write. The writer is not told: the
        // core contract has no completion events, and RamCast learns of a new leader by message.
        return this.record({ t: this.nowUs, node: e.node, kind: 'write-rejected', peer: e.peer, name: e.name, offset: e.offset, size: e.bytes!.length, digest: payloadDigest(e.bytes!) });
      }
    } else if (e.ev !== Ev.Start && e.ev !== Ev.Request && e.inc !== n.crashes.length) {
      return; // a timer, crypto result or suspicion meant for an earlier incarnation
    }
    if (n.status === 'down') return;
    if (n.status === 'paused') {
      e.flag ||= e.ev === Ev.Deliver || e.ev === Ev.Write; // landed: no network checks on resume
      n.pending.push(e);
      return;
    }
    let event: CoreEvent;
    switch (e.ev) {
      case Ev.Start:
        event = { kind: 'start', restarted: e.flag };
        this.record({ t: this.nowUs, node: e.node, kind: 'start', ok: e.flag });
        break;
      case Ev.Deliver:
        event = { kind: 'receive', from: e.peer, bytes: e.bytes! };
        this.record({ t: this.nowUs, node: e.node, kind: 'receive', peer: e.peer, size: e.bytes!.length, digest: payloadDigest(e.bytes!) });
        break;
      case Ev.Write:
        event = { kind: 'memory', from: e.peer, region: e.name, offset: e.offset, bytes: e.bytes! };
        this.record({ t: this.nowUs, node: e.node, kind: 'memory', peer: e.peer, name: e.name, offset: e.offset, size: e.bytes!.length, digest: payloadDigest(e.bytes!) });
        break;
      case Ev.Timer:
        if (n.timers.get(e.name) !== e.aux) return; // cancelled or re-armed since
        n.timers.delete(e.name);
        event = { kind: 'timer', timer: e.name };
        this.record({ t: this.nowUs, node: e.node, kind: 'timer', name: e.name });
        break;
      case Ev.Request:
        event = { kind: 'request', bytes: e.bytes! };
        this.record({ t: this.nowUs, node: e.node, kind: 'request', size: e.bytes!.length, digest: payloadDigest(e.bytes!) });
        break;
      case Ev.Suspect:
        event = { kind: 'suspect', node: e.peer, suspected: e.flag };
        this.record({ t: this.nowUs, node: e.node, kind: 'suspect', peer: e.peer, ok: e.flag });
        break;
      case Ev.CryptoResult:
        event = { kind: 'crypto', job: e.name, ok: e.flag, bytes: e.bytes! };
        this.record({ t: this.nowUs, node: e.node, kind: 'crypto-result', name: e.name, ok: e.flag, size: e.bytes!.length, digest: payloadDigest(e.bytes!) });
        break;
      default:
        throw new Error(`unexpected agenda entry ${e.ev}`);
    }
    this.apply(e.node, n.core.handle(this.nowUs, event));
  }

  /** Traffic that dies on the way: cut by a partition, sender crashed before it left, receiver down. */
  private lostInFlight(e: Entry, receiver: NodeState): boolean {
    const sender = this.nodes[e.peer]!;
    const senderCrash = sender.crashes[e.inc];
    const reason =
      senderCrash !== undefined && senderCrash <= e.aux ? 'sender-crashed'
      : this.network.cut(e.peer, e.node) ? 'partition'
      : receiver.status === 'down' ? 'receiver-down'
      : null;
    if (reason === null) return false;
    this.record({ t: this.nowUs, node: e.peer, kind: 'drop', peer: e.node, name: e.ev === Ev.Write ? e.name : undefined, size: e.bytes!.length, info: reason });
    return true;
  }

  // ---- effects ----

  private apply(id: NodeId, effects: CoreEffect[]): void {
    const n = this.nodes[id]!;
    const now = this.nowUs;
    for (const fx of effects) {
      switch (fx.kind) {
        case 'send':
        case 'write':
          this.transmit(id, fx);
          break;
        case 'set-timer': {
          if (!(fx.afterUs >= 0)) throw new RangeError(`node ${id} set timer "${fx.timer}" with afterUs ${fx.afterUs}`);
          const gen = ++this.timerGeneration;
          n.timers.set(fx.timer, gen);
          const e = this.entry(now + Math.round(fx.afterUs), Ev.Timer, id);
          e.name = fx.timer;
          e.aux = gen;
          e.inc = n.crashes.length;
          this.queue.push(e);
          this.record({ t: now, node: id, kind: 'set-timer', name: fx.timer, us: Math.round(fx.afterUs) });
          break;
        }
        case 'cancel-timer':
          n.timers.delete(fx.timer);
          this.record({ t: now, node: id, kind: 'cancel-timer', name: fx.timer });
          break;
        case 'output':
          this.record({ t: now, node: id, kind: 'output', name: fx.name, data: fx.data });
          break;
        case 'crypto':
          this.askCrypto(id, n, fx);
          break;
        case 'permit': {
          this.node(fx.peer);
          let set = n.revoked.get(fx.region);
          if (fx.allowed) set?.delete(fx.peer);
          else {
            if (set === undefined) n.revoked.set(fx.region, (set = new Set()));
            set.add(fx.peer);
          }
          this.record({ t: now, node: id, kind: 'permit', peer: fx.peer, name: fx.region, ok: fx.allowed });
          break;
        }
        default:
          throw new TypeError(`node ${id} returned an unknown effect ${JSON.stringify((fx as { kind: unknown }).kind)}`);
      }
    }
  }

  private transmit(from: NodeId, fx: Extract<CoreEffect, { kind: 'send' | 'write' }>): void {
    const to = fx.to;
    this.node(to);
    const now = this.nowUs;
    const write = fx.kind === 'write';
    const size = fx.bytes.length;
    const digest = payloadDigest(fx.bytes);
    const region = write ? fx.region : undefined;
    this.record({ t: now, node: from, kind: fx.kind, peer: to, name: region, offset: write ? fx.offset : undefined, size, digest });
    this.usage?.send(from, to, size, now);
    const tx = this.network.transmit(from, to, size, now, write);
    if (tx.dropped !== null) {
      this.record({ t: now, node: from, kind: 'drop', peer: to, name: region, size, info: tx.dropped });
      return;
    }
    const inc = this.nodes[from]!.crashes.length;
    const copy = (t: TimeUs): void => {
      const e = this.entry(t, write ? Ev.Write : Ev.Deliver, to);
      e.peer = from;
      e.inc = inc;
      e.aux = tx.txStartUs;
      e.bytes = fx.bytes;
      if (write) {
        e.name = fx.region;
        e.offset = fx.offset;
      }
      this.queue.push(e);
    };
    copy(tx.arrivalUs);
    if (tx.duplicateUs >= 0) {
      this.record({ t: now, node: from, kind: 'duplicate', peer: to, size });
      copy(tx.duplicateUs);
    }
  }

  private askCrypto(id: NodeId, n: NodeState, fx: Extract<CoreEffect, { kind: 'crypto' }>): void {
    if (this.crypto === undefined) throw new Error(`node ${id} asked for crypto "${fx.op}" but the scenario has no crypto handler`);
    this.record({ t: this.nowUs, node: id, kind: 'crypto', name: fx.job, info: fx.op, size: fx.bytes.length, digest: payloadDigest(fx.bytes) });
    const answer = this.crypto({ node: id, job: fx.job, op: fx.op, bytes: fx.bytes }, this.cryptoRng);
    if (!(answer.costUs >= 0)) throw new RangeError(`crypto handler returned costUs ${answer.costUs} for "${fx.op}"`);
    const startUs = Math.max(this.nowUs, n.cryptoBusyUntilUs);
    n.cryptoBusyUntilUs = startUs + Math.round(answer.costUs);
    this.usage?.crypto(id, fx.op, startUs, n.cryptoBusyUntilUs);
    const e = this.entry(n.cryptoBusyUntilUs, Ev.CryptoResult, id);
    e.name = fx.job;
    e.flag = answer.ok;
    e.bytes = answer.bytes;
    e.inc = n.crashes.length;
    this.queue.push(e);
  }

  // ---- faults ----

  private crash(e: Entry): void {
    const f = e.fault as Extract<FaultSpec, { kind: 'crash' }>;
    const n = this.nodes[e.node]!;
    if (n.status === 'down') return;
    n.status = 'down';
    n.faulty = true;
    n.crashes.push(this.nowUs);
    n.pending = [];
    n.timers.clear();
    this.network.flushSender(e.node, this.nowUs);
    this.record({ t: this.nowUs, node: e.node, kind: 'crash', us: f.restartAfterUs });
    this.announce(e.node, true);
    if (f.restartAfterUs !== undefined) this.queue.push(this.entry(this.nowUs + f.restartAfterUs, Ev.Restart, e.node));
  }

  private restart(id: NodeId): void {
    const n = this.nodes[id]!;
    const inc = n.crashes.length;
    const fresh = this.setup.nodes[id]!(id, inc);
    n.core = n.wrap ? n.wrap(fresh, this.byzantineRng(id), id) : fresh;
    n.status = 'up';
    n.revoked.clear(); // memory is registered anew after a restart: default permissions
    n.cryptoBusyUntilUs = this.nowUs;
    this.record({ t: this.nowUs, node: id, kind: 'restart', data: { incarnation: inc } });
    const start = this.entry(this.nowUs, Ev.Start, id);
    start.flag = true;
    this.queue.push(start);
    this.announce(id, false);
  }

  private pause(e: Entry): void {
    const f = e.fault as Extract<FaultSpec, { kind: 'pause' }>;
    const n = this.nodes[e.node]!;
    if (n.status !== 'up') return;
    n.status = 'paused';
    n.faulty = true;
    this.record({ t: this.nowUs, node: e.node, kind: 'pause', us: f.forUs });
    this.announce(e.node, true);
    const resume = this.entry(this.nowUs + f.forUs, Ev.Resume, e.node);
    resume.inc = n.crashes.length;
    this.queue.push(resume);
  }

  private resume(e: Entry): void {
    const id = e.node;
    const n = this.nodes[id]!;
    if (n.status !== 'paused' || e.inc !== n.crashes.length) return;
    n.status = 'up';
    this.record({ t: this.nowUs, node: id, kind: 'resume', size: n.pending.length });
    for (const p of n.pending) {
      p.t = this.nowUs;
      this.queue.push(p);
    }
    n.pending = [];
    this.announce(id, false);
  }

  private partition(e: Entry): void {
    const f = e.fault as Extract<FaultSpec, { kind: 'partition' }>;
    const id = this.partitionIds++;
    this.network.partition(id, f.groups);
    this.record({ t: this.nowUs, node: -1, kind: 'partition', data: f.groups, info: `partition ${id}` });
    if (f.healAfterUs !== undefined) {
      const heal = this.entry(this.nowUs + f.healAfterUs, Ev.Heal, -1);
      heal.peer = id;
      this.queue.push(heal);
    }
  }

  /** The failure detector's view of a node going away or coming back. */
  private announce(id: NodeId, suspected: boolean): void {
    const d = this.setup.detector;
    if (d === undefined) return;
    for (let other = 0; other < this.nodeCount; other++) {
      if (other !== id && this.nodes[other]!.status !== 'down') this.pushSuspect(this.nowUs + d.delayUs, other, id, suspected);
    }
  }

  // ---- trace and checks ----

  private record(r: TraceRecord): void {
    this.trace.add(r);
    for (const p of this.incremental) {
      if (this.violation) return;
      const message = p.onRecord!(r, this);
      if (message !== null) this.violate(p, message);
    }
  }

  private violate(p: Property, message: string): void {
    this.violation = { property: p.name, message, seed: this.seed, step: this.steps, timeUs: this.nowUs };
  }
}
