// A composable-architecture server as a sans-IO core (src/sim/core.ts): one physical machine
// of a logical machine (Lane 2008, Ch. 4). It runs its LM's local agreement (agreement.ts,
// Paxos or PBFT among the site's servers), verifies every event before agreeing to order it
// (validation.ts), executes the agreed batches on its replica of the LM (lm-machine.ts: the
// wide-area protocol, BLink's replicated link state, the application), signs what the LM
// says (outgoing-signer.ts), and plays its part in BLink (blink-endpoint.ts) and CLink
// (clink-server.ts). As the local leader it builds the batches: round-robin over the incoming
// logical links, the local origins of CLink requests and the proved timeouts (§4.4.1
// fairness), one event per instance unoptimized, everything that queued while the previous
// instance was in flight when optimized (aggregation, §4.6). As any server it watches the
// leader: an event that is next in line and not ordered in time makes it suspect the leader.
import { buildTree, signedRoot } from '../crypto/merkle.js';
import { hex, sha256, CryptoPort } from '../steward/crypto-port.js';
import { ThresholdSign } from '../steward/threshold-sign.js';
import { KvStateMachine } from '../service/kv-state-machine.js';
import type { StateMachine } from '../service/state-machine.js';
import type { Core, CoreEffect, CoreEvent, Json, NodeId, TimeUs } from '../sim/core.js';
import { DecodeError } from '../wire/decode-error.js';
import { Agreement } from './agreement.js';
import { BlinkEndpoint } from './blink-endpoint.js';
import { ClinkServer } from './clink-server.js';
import { LmMachine, openFrame, openUpdate, type MachineEffects } from './lm-machine.js';
import { BATCH_EVENTS_MAX, decode, encode, isAgreement, type Msg, type WireMessage } from './messages.js';
import { OutgoingSigner } from './outgoing-signer.js';
import { OUT, type LocalExecuteRecord } from './outputs.js';
import type { ComposableTimings } from './timings.js';
import { isClient, lmThreshold, serverIdOf, serverNode, serversPerSite, siteOf, witnesses, type ComposableTopology } from './topology.js';
import { Validator, type OpenedLocal } from './validation.js';

export interface ComposableServerOptions {
  topology: ComposableTopology;
  node: NodeId;
  timings: ComposableTimings;
  /** Merkle-tree signing of each instance's outgoing messages and aggregation of events (§4.6). */
  optimized: boolean;
  /** Local instances a leader may have in flight unoptimized (optimized: PIPELINE_DEPTH). */
  localWindow: number;
  wanWindow: number;
  /** This server's incarnation (CLink-Order numbering restarts with it, D11). */
  epoch: number;
  /** The replicated application; default the KV store of src/service. */
  app?: () => StateMachine;
  /** `minimal`: only executions and client-facing outputs (the bench's long runs). */
  outputs?: 'all' | 'minimal';
  /** Test hook: this server's whole LM is Byzantine (every server of the site gets it). */
  equivocate?: boolean;
  /** Deliberately broken variant (see LmMachineOptions). */
  brokenDoublePropose?: boolean;
}

/**
 * §4.4.1 fairness, counted in proposals rather than time (a loaded LM's instances queue behind
 * each other, so time alone cannot tell a slow leader from an unfair one): once the leader has
 * verified an event, it passes over every queue within `queues` proposals, and it verifies in
 * arrival order behind at most a window of proposals; one that lets two such spans go by
 * without an event handed to it is replaced.
 */
export const FAIRNESS_PASSES = 2;
/** Optimized: one instance in flight while the next batch fills (merkle-batcher.ts's policy, D12). */
export const PIPELINE_DEPTH = 1;
/** Optimized: the agreement still accepts a few seqs ahead (a new leader's re-proposals, members that lag by one). */
export const OPTIMIZED_WINDOW_MIN = 4;
/** Local timeout doublings after consecutive view changes without progress (Lemma 4.8.1). */
export const LOCAL_TIMEOUT_DOUBLINGS_MAX = 6;
const TIMER_TICK = 'tick';

type Item = { key: string; raw: Uint8Array };

export class ComposableServer implements Core {
  readonly port = new CryptoPort();
  readonly machine: LmMachine;
  readonly local: Agreement;
  /** Inputs dropped, by reason (malformed, forged, misaddressed). */
  readonly dropped = new Map<string, number>();
  private readonly t: ComposableTopology;
  private readonly site: number;
  private readonly myId: number;
  private readonly n: number;
  /** Local seqs in flight the agreement accepts above its executed prefix. */
  private readonly localWindow: number;
  private readonly validator: Validator;
  private readonly corrupted = new Set<number>();
  private readonly tsign: ThresholdSign | null;
  private readonly signer: OutgoingSigner;
  private readonly blink: BlinkEndpoint;
  private readonly clink: ClinkServer;
  private now: TimeUs = 0;
  // ---- leader-side batching state (reset at every local view) ----
  private proposedLink: number[];
  private proposedOrigin: Array<{ epoch: number; seqR: number }>;
  private readonly proposedTimeouts = new Set<string>();
  private roundRobin = 0;
  // ---- timeout notes ----
  private readonly myNotes = new Map<string, Uint8Array>();
  private readonly notes = new Map<string, { name: string; epoch: number; by: Map<number, Uint8Array> }>();
  private readonly timerSeen = new Map<string, TimeUs>();
  // ---- watching the leader ----
  private firstSeen = new Map<string, TimeUs>();
  /** Waiting events handed to the leader, with how many of its proposals this server had seen then. */
  private readonly handedToLeader = new Map<string, number>();
  /** Events the leader proposed in this view: they wait for the agreement, not for the leader. */
  private readonly proposedKeys = new Set<string>();
  private proposalsSeen = 0;
  /** The leader's progress clocks: its last new proposal (or when work last appeared), its last delivered instance (or when a stall began). */
  private lastProposal: TimeUs = 0;
  private lastDelivery: TimeUs = 0;
  private stallStart: TimeUs = 0;
  private suspectedIn = -1;
  private changesWithoutProgress = 0;
  private changingSince: TimeUs | null = null;
  private stalledSince: TimeUs | null = null;
  private behindSince: TimeUs | null = null;
  private seenLocalView = 0;
  private seenLocalInstalls = 0;
  /** The last signed reply to each client of this site, for clients that re-send after it was executed. */
  private readonly replies = new Map<number, { ts: number; bytes: Uint8Array }>();

  constructor(readonly o: ComposableServerOptions) {
    const t = o.topology;
    this.t = t;
    this.site = siteOf(t, o.node);
    this.myId = serverIdOf(t, o.node);
    this.n = serversPerSite(t);
    this.validator = new Validator(t, this.site, this.port);
    this.machine = new LmMachine({
      topology: t,
      site: this.site,
      app: (o.app ?? (() => new KvStateMachine()))(),
      wanWindow: o.wanWindow,
      timings: o.timings.machine,
      equivocate: o.equivocate,
      brokenDoublePropose: o.brokenDoublePropose,
    });
    this.localWindow = o.optimized ? Math.max(PIPELINE_DEPTH, OPTIMIZED_WINDOW_MIN) : o.localWindow;
    this.local = new Agreement({ protocol: t.local, n: this.n, f: t.f, me: this.myId, window: this.localWindow, open: (raw) => this.openLocalRaw(raw) });
    this.tsign = t.local === 'bft' ? new ThresholdSign({
      port: this.port,
      myId: this.myId,
      threshold: lmThreshold(t),
      sendLocalAll: (body) => this.signedToAll(body as unknown as WireMessage),
      corrupted: this.corrupted,
      onBlacklist: (server) => this.output(OUT.blacklist, { server, reason: 'bad partial signature' }),
    }) : null;
    this.signer = new OutgoingSigner({ port: this.port, tsign: this.tsign, merkle: o.optimized, onFrame: (lm, frame) => this.blink.onSigned(lm, frame) });
    this.blink = new BlinkEndpoint({
      t,
      site: this.site,
      myId: this.myId,
      machine: this.machine,
      sendTo: (node, bytes) => this.send(node, bytes),
      sendLocalAll: (bytes) => this.toSite(bytes),
      note: (name, epoch) => this.note(name, epoch),
      retransmitUs: o.timings.linkRetransmitUs,
      helloPeriodUs: o.timings.helloPeriodUs,
      helloTimeoutUs: o.timings.helloTimeoutUs,
    });
    this.clink = new ClinkServer({
      t,
      site: this.site,
      myId: this.myId,
      epoch: o.epoch,
      machine: this.machine,
      validator: this.validator,
      signLocal: (body, done) => this.sign(body, done),
      sendLocalAll: (bytes) => this.toSite(bytes),
      sendTo: (node, bytes) => this.send(node, bytes),
      corrupted: this.corrupted,
      blacklist: (server, reason) => this.blacklist(server, reason),
      optUs: o.timings.clinkOptUs,
    });
    this.proposedLink = [...this.machine.incoming];
    this.proposedOrigin = this.machine.origins.map((x) => ({ ...x }));
  }

  /** LM signatures this server asked for and the outgoing messages they covered (§4.6 amortisation). */
  signatures(): { signatures: number; messages: number } {
    return { signatures: this.signer.signatures, messages: this.signer.messages };
  }

  handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    this.now = nowUs;
    this.blink.setNow(nowUs);
    this.clink.setNow(nowUs);
    switch (event.kind) {
      case 'start':
        this.port.out.push({ kind: 'set-timer', timer: TIMER_TICK, afterUs: this.o.timings.tickUs });
        break;
      case 'timer':
        if (event.timer === TIMER_TICK) {
          this.tick();
          this.port.out.push({ kind: 'set-timer', timer: TIMER_TICK, afterUs: this.o.timings.tickUs });
        }
        break;
      case 'receive':
        this.receive(event.from, event.bytes);
        break;
      case 'crypto':
        this.port.answer(event.job, event.ok, event.bytes);
        break;
      default:
        break;
    }
    this.settle();
    return this.port.drain();
  }

  // ---- plumbing ----

  private drop(reason: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  private output(name: string, data: Record<string, Json>): void {
    this.port.out.push({ kind: 'output', name, data });
  }

  private send(to: NodeId, bytes: Uint8Array): void {
    if (to !== this.o.node) this.port.out.push({ kind: 'send', to, bytes });
  }

  private toSite(bytes: Uint8Array): void {
    for (let i = 0; i < this.n; i++) if (i !== this.myId) this.send(serverNode(this.t, this.site, i), bytes);
  }

  private sign(body: WireMessage, done: (raw: Uint8Array) => void): void {
    const bodyBytes = encode(body);
    this.port.sign(bodyBytes, (sig) => done(encode({ type: 'signed', from: this.o.node, body: bodyBytes, sig })));
  }

  /**
   * Every server of the client's site signs its replies (the client needs f+1 matching).
   * Optimized, the replies one execution produced share one signature over a Merkle root
   * (§4.6's batching applied to replies, decisions D13): per update the site signs nothing.
   */
  private signReplies(replies: MachineEffects['replies']): void {
    const deliver = (r: MachineEffects['replies'][number], bytes: Uint8Array) => {
      this.replies.set(r.client, { ts: r.ts, bytes });
      this.send(r.client, bytes);
    };
    const reply = (r: MachineEffects['replies'][number]): WireMessage => ({ type: 'reply', client: r.client, ts: r.ts, seq: r.seq, result: r.result });
    if (!this.o.optimized || replies.length < 2) {
      for (const r of replies) this.sign(reply(r), (bytes) => deliver(r, bytes));
      return;
    }
    const bodies = replies.map((r) => encode(reply(r)));
    const tree = buildTree(bodies);
    this.port.sign(signedRoot(bodies.length, tree.root), (sig) =>
      replies.forEach((r, j) => deliver(r, encode({ type: 'batchSigned', from: this.o.node, body: bodies[j]!, sig, index: j, leafCount: bodies.length, path: tree.paths[j]! }))),
    );
  }

  private signedToAll(body: WireMessage): void {
    this.sign(body, (raw) => this.toSite(raw));
  }

  private leaderNode(): NodeId {
    return serverNode(this.t, this.site, this.local.leader);
  }

  private openLocalRaw(raw: Uint8Array): { from: number; msg: WireMessage } | null {
    const o = this.validator.openLocal(raw);
    return o ? { from: o.server, msg: o.body } : null;
  }

  private blacklist(server: number, reason: string): void {
    if (this.corrupted.has(server) || server === this.myId) return;
    this.corrupted.add(server);
    this.output(OUT.blacklist, { server, reason });
  }

  // ---- inputs ----

  private receive(from: NodeId, bytes: Uint8Array): void {
    let m: WireMessage;
    try {
      m = decode(bytes);
    } catch (e) {
      if (e instanceof DecodeError) return this.drop('malformed');
      throw e;
    }
    const local = from >= serverNode(this.t, this.site, 0) && from < serverNode(this.t, this.site, this.n);
    switch (m.type) {
      case 'signed': {
        const o = this.validator.openLocal(bytes);
        return o ? this.onLocal(o, bytes) : this.drop('not from this site');
      }
      case 'blinkData':
        return this.onFrame(bytes, from, !local);
      case 'clientUpdate': {
        if (!isClient(this.t, from)) return this.drop('misaddressed');
        const last = this.replies.get(from);
        const u = openUpdate(m.update);
        if (last && u && u.client === from && u.ts === last.ts) return this.send(from, last.bytes);
        return this.clink.onClientUpdate(m.update, m.retransmit);
      }
      case 'forwardUpdate':
        return this.clink.onForwardUpdate(m.update);
      case 'hello':
        return local ? this.blink.onHello(m.to) : this.drop('misaddressed');
      case 'faultProof':
        return local ? this.clink.onFaultProof(m.a, m.b) : this.drop('misaddressed');
      default:
        return this.drop('unexpected');
    }
  }

  private onLocal(o: OpenedLocal, raw: Uint8Array): void {
    const b = o.body;
    if (o.server === this.myId) return;
    if (this.corrupted.has(o.server)) return this.drop('blacklisted');
    const remember = b.type === 'orderingRequest' || b.type === 'expiry' || b.type === 'state';
    const verified = (then: () => void) => this.validator.verifyLocal(o, (ok) => (ok ? then() : this.drop('bad signature')), remember);
    if (isAgreement(b)) {
      if (b.type === 'propose')
        return verified(() =>
          this.validator.verifyBatch(b.value, (ok) => {
            if (!ok) return this.drop('invalid batch');
            if (o.server === this.local.leader && b.view === this.local.view && this.local.status === 'normal' && b.seq > this.local.executed) this.onLeaderProposal(b.value);
            this.local.receive(o.server, b, raw);
          }),
        );
      if (b.type === 'state' || b.type === 'newView') return verified(() => this.validator.verifyLocalNested(b, (ok) => (ok ? this.local.receive(o.server, b, raw) : this.drop('invalid proof'))));
      return verified(() => this.local.receive(o.server, b, raw));
    }
    switch (b.type) {
      case 'partialSig':
        if (!this.tsign?.wants(b.data)) return;
        return verified(() => this.tsign!.onPartial(o.server, b.data, b.partial));
      case 'corruptedServer':
        return verified(() => this.tsign?.onAccusation(b.accused, b.data, b.partial));
      case 'orderingRequest':
        return verified(() => this.validator.verifyUpdate(b.update, (ok) => (ok ? this.clink.onRequest(o, raw) : this.drop('bad update'))));
      case 'expiry':
        return verified(() => this.collectNote(o.server, b, raw));
      default:
        return this.drop('unexpected');
    }
  }

  private onFrame(raw: Uint8Array, from: NodeId, remote: boolean): void {
    this.validator.verifyFrame(raw, (ok) => {
      if (!ok) return this.drop('bad frame');
      const f = decode(raw) as Msg<'blinkData'>;
      const lm = decode(f.lm) as Msg<'lmMessage'>;
      if (lm.from === this.site) return this.drop('own frame');
      const body = decode(lm.body);
      if (body.type === 'ack') return this.blink.onAck(lm.from, body, raw, remote);
      const link = lm.links.find((l) => l.to === this.site);
      if (!link) return this.drop('misaddressed frame');
      this.blink.onData(raw, lm.from, link.seq, from, remote);
    });
  }

  /** A verified proposal of the current leader: its events are ordered as far as fairness goes. */
  private onLeaderProposal(value: Uint8Array): void {
    this.proposalsSeen++;
    this.lastProposal = this.now;
    if (value.length === 0) return;
    const batch = decode(value);
    if (batch.type !== 'batch') return;
    for (const e of batch.events) {
      const key = this.eventKey(e);
      if (key) this.proposedKeys.add(key);
    }
  }

  /** The fairness key of an LM event (a link frame's link and seq, a request's origin and seq_r, a timeout's name and epoch), as watchLeader names them. */
  private eventKey(bytes: Uint8Array): string | null {
    const ev = decode(bytes);
    if (ev.type === 'evLink') {
      const f = openFrame(ev.data);
      const link = f?.lm.links.find((l) => l.to === this.site);
      return f && link ? `l${f.lm.from}:${link.seq}` : null;
    }
    if (ev.type === 'evRequest') {
      const o = this.validator.openLocal(ev.request);
      return o?.body.type === 'orderingRequest' ? `o${o.body.origin}:${o.body.epoch}:${o.body.seqR}` : null;
    }
    if (ev.type === 'evTimeout') return `t${ev.name}#${ev.epoch}`;
    return null;
  }

  // ---- LM timeout notes (§4.3) ----

  private note(name: string, epoch: number): void {
    const key = `${name}#${epoch}`;
    if (this.myNotes.has(key)) return;
    this.myNotes.set(key, new Uint8Array(0));
    this.sign({ type: 'expiry', name, epoch }, (raw) => {
      this.myNotes.set(key, raw);
      this.collectNote(this.myId, { type: 'expiry', name, epoch }, raw);
      if (!this.local.isLeader) this.send(this.leaderNode(), raw);
    });
  }

  private collectNote(server: number, e: Msg<'expiry'>, raw: Uint8Array): void {
    if (!this.noteRelevant(e.name, e.epoch)) return;
    const key = `${e.name}#${e.epoch}`;
    let n = this.notes.get(key);
    if (!n) this.notes.set(key, (n = { name: e.name, epoch: e.epoch, by: new Map() }));
    n.by.set(server, raw);
  }

  /** Is a timeout of this (name, epoch) still one the LM would act on? */
  private noteRelevant(name: string, epoch: number): boolean {
    const t = this.machine.timers.get(name);
    if (t) return t.epoch === epoch;
    const [kind, d] = name.split(':');
    const dest = Number(d);
    if ((kind !== 'link' && kind !== 'walk' && kind !== 'fwd') || !Number.isInteger(dest) || dest < 0 || dest >= this.t.sites || dest === this.site) return false;
    return this.machine.linkEpoch(kind, dest) === epoch;
  }

  // ---- the leader's batches ----

  private nextLinkItem(src: number): (Item & { seq: number }) | null {
    const seq = Math.max(this.machine.incoming[src]!, this.proposedLink[src]!) + 1;
    const raw = this.blink.frame(src, seq);
    return raw ? { key: `l${src}:${seq}`, raw, seq } : null;
  }

  private nextRequestItem(origin: number): (Item & { epoch: number; seqR: number }) | null {
    if (this.corrupted.has(origin)) return null;
    const done = this.machine.origins[origin]!;
    const proposed = this.proposedOrigin[origin]!;
    const after = proposed.epoch > done.epoch || (proposed.epoch === done.epoch && proposed.seqR > done.seqR) ? proposed : done;
    const r = this.clink.nextAfter(origin, after);
    return r ? { key: `o${origin}:${r.epoch}:${r.seqR}`, raw: r.raw, epoch: r.epoch, seqR: r.seqR } : null;
  }

  /** Round-robin over every queue, one event from each per pass (§4.4.1 fairness). */
  private collect(max: number): Uint8Array[] {
    const events: Uint8Array[] = [];
    const queues = this.t.sites + this.n + 1;
    const start = this.roundRobin++ % queues;
    for (let progress = true; progress && events.length < max; ) {
      progress = false;
      for (let i = 0; i < queues && events.length < max; i++) {
        const q = (start + i) % queues;
        if (q < this.t.sites) {
          if (q === this.site) continue;
          const item = this.nextLinkItem(q);
          if (!item) continue;
          this.proposedLink[q] = item.seq;
          events.push(encode({ type: 'evLink', data: item.raw }));
          progress = true;
        } else if (q < this.t.sites + this.n) {
          const origin = q - this.t.sites;
          const item = this.nextRequestItem(origin);
          if (!item) continue;
          this.proposedOrigin[origin] = { epoch: item.epoch, seqR: item.seqR };
          events.push(encode({ type: 'evRequest', request: item.raw }));
          progress = true;
        } else {
          for (const [key, n] of this.notes) {
            if (events.length >= max) break;
            if (this.proposedTimeouts.has(key) || n.by.size < witnesses(this.t.local, this.t.f) || !this.noteRelevant(n.name, n.epoch)) continue;
            this.proposedTimeouts.add(key);
            events.push(encode({ type: 'evTimeout', name: n.name, epoch: n.epoch, notes: [...n.by.values()].slice(0, witnesses(this.t.local, this.t.f)) }));
            progress = true;
          }
        }
      }
    }
    return events;
  }

  private tryPropose(): void {
    if (!this.local.isLeader || this.local.status !== 'normal') return;
    const depth = this.o.optimized ? PIPELINE_DEPTH : this.o.localWindow;
    while (this.local.inFlight < depth && this.local.canPropose()) {
      const events = this.collect(this.o.optimized ? BATCH_EVENTS_MAX : 1);
      if (events.length === 0) return;
      this.local.propose(encode({ type: 'batch', events }));
    }
  }

  // ---- agreement output and execution ----

  /** Runs the local agreement's output to a fixed point: sends, decisions, new proposals. */
  private settle(): void {
    for (let round = 0; round < 64; round++) {
      const { out, decisions } = this.local.drain();
      for (const o of out) {
        const to = o.to;
        this.sign(o.msg, (raw) => (to === 'all' ? this.toSite(raw) : this.send(serverNode(this.t, this.site, to), raw)));
      }
      for (const d of decisions) this.executeInstance(d.seq, d.value);
      if (decisions.length > 0) {
        this.lastDelivery = this.now;
        // Re-send only after a whole period without delivery: a loaded LM's queues are no loss, and re-sending into them collapses it.
        this.stalledSince = null;
      }
      if (this.local.view !== this.seenLocalView || this.local.installs !== this.seenLocalInstalls) this.onLocalView();
      this.tryPropose();
      if (this.local.out.length === 0 && this.local.decisions.length === 0) break;
    }
  }

  private onLocalView(): void {
    this.seenLocalView = this.local.view;
    this.seenLocalInstalls = this.local.installs;
    this.proposedLink = [...this.machine.incoming];
    this.proposedOrigin = this.machine.origins.map((x) => ({ ...x }));
    this.proposedTimeouts.clear();
    this.handedToLeader.clear();
    this.proposedKeys.clear();
    this.lastProposal = this.now;
    this.lastDelivery = this.now;
    this.firstSeen = new Map();
    if (this.o.outputs !== 'minimal') this.output(OUT.view, { level: 'local', view: this.local.view, status: this.local.status });
    // Notes went to the old leader: the new one needs them too.
    if (this.local.status === 'normal' && !this.local.isLeader) for (const [key, raw] of this.myNotes) if (raw.length > 0 && this.notes.has(key)) this.send(this.leaderNode(), raw);
  }

  private executeInstance(seq: number, value: Uint8Array): void {
    let events: Uint8Array[] = [];
    if (value.length > 0) {
      const b = decode(value);
      if (b.type === 'batch') events = b.events;
    }
    for (const e of events) {
      this.machine.apply(e);
      const key = this.eventKey(e);
      if (key) this.proposedKeys.delete(key);
    }
    if (events.length > 0) this.changesWithoutProgress = 0;
    if (this.o.outputs !== 'minimal') {
      const rec: LocalExecuteRecord = { site: this.site, seq, digest: hex(sha256(value)), events: events.length };
      this.output(OUT.localExecute, rec as unknown as Record<string, Json>);
    }
    this.onEffects(this.machine.takeEffects());
  }

  private onEffects(fx: MachineEffects): void {
    this.signer.signInstance(fx.lm);
    for (const e of fx.executions) this.output(OUT.execute, e as unknown as Record<string, Json>);
    if (this.o.outputs !== 'minimal') {
      for (const s of fx.sends) this.output(OUT.linkSend, s as unknown as Record<string, Json>);
      for (const d of fx.deliveries) this.output(OUT.linkDeliver, d as unknown as Record<string, Json>);
      if (fx.wanView) this.output(OUT.view, { level: 'wide', view: this.machine.wan.view, status: this.machine.wan.status });
    }
    this.signReplies(fx.replies);
    for (const d of fx.rotated) this.blink.onRotated(d);
    if (fx.deliveries.length > 0) this.blink.prune();
    for (const key of this.notes.keys()) {
      const n = this.notes.get(key)!;
      if (!this.noteRelevant(n.name, n.epoch)) {
        this.notes.delete(key);
        this.myNotes.delete(key);
      }
    }
  }

  // ---- the tick: every timer of this server ----

  private localTimeoutUs(): number {
    return this.o.timings.localSuspectUs * 2 ** Math.min(LOCAL_TIMEOUT_DOUBLINGS_MAX, this.changesWithoutProgress);
  }

  private tick(): void {
    this.blink.tick();
    this.clink.tick();
    // Replicated timers: every server times them from when its replica armed them.
    for (const [name, t] of this.machine.timers) {
      const key = `${name}#${t.epoch}`;
      const since = this.timerSeen.get(key) ?? this.now;
      this.timerSeen.set(key, since);
      if (this.now - since >= t.afterUs) this.note(name, t.epoch);
    }
    for (const key of this.timerSeen.keys()) {
      const [name, epoch] = key.split('#');
      if (this.machine.timers.get(name!)?.epoch !== Number(epoch)) this.timerSeen.delete(key);
    }
    this.watchLeader();
    if (this.local.stalled) {
      this.stalledSince ??= this.now;
      if (this.now - this.stalledSince >= this.o.timings.localRetransmitUs) {
        this.local.retransmit();
        this.stalledSince = this.now;
      }
    } else this.stalledSince = null;
    if (this.local.behind) {
      this.behindSince ??= this.now;
      if (this.now - this.behindSince >= this.o.timings.catchUpUs) {
        this.local.catchUp();
        this.behindSince = this.now;
      }
    } else this.behindSince = null;
  }

  /** §4.4.1 fairness and §4.5: what is next in line must be ordered in time, or the leader goes. */
  private watchLeader(): void {
    const timeout = this.localTimeoutUs();
    if (this.local.status === 'changing') {
      this.changingSince ??= this.now;
      if (this.now - this.changingSince >= timeout) {
        this.changingSince = this.now;
        this.changesWithoutProgress++;
        this.local.suspect();
      }
      return;
    }
    this.changingSince = null;
    const waiting: Item[] = [];
    for (let src = 0; src < this.t.sites; src++) {
      if (src === this.site) continue;
      const raw = this.blink.frame(src, this.machine.incoming[src]! + 1);
      if (raw) waiting.push({ key: `l${src}:${this.machine.incoming[src]! + 1}`, raw });
    }
    for (let origin = 0; origin < this.n; origin++) {
      if (this.corrupted.has(origin)) continue;
      const r = this.clink.nextAfter(origin, this.machine.origins[origin]!);
      if (r) waiting.push({ key: `o${origin}:${r.epoch}:${r.seqR}`, raw: r.raw });
    }
    // A timeout this server's replica timed out on must be ordered too (a leader deaf to notes would freeze BLink's rotation).
    for (const [key, raw] of this.myNotes) {
      const n = this.notes.get(key);
      if (raw.length > 0 && n && this.noteRelevant(n.name, n.epoch)) waiting.push({ key: `t${key}`, raw });
    }
    const work = waiting.filter((item) => !this.proposedKeys.has(item.key));
    // The leader owes a new proposal per timeout while events wait, and a delivered instance
    // per timeout while its instances are undecided (a leader that proposes what can never be
    // decided is replaced too).
    if (work.length === 0) this.lastProposal = this.now;
    if (!this.local.stalled) this.stallStart = this.now;
    const seen = new Map<string, TimeUs>();
    const queues = this.t.sites + this.n + 1;
    const noProposal = this.now - Math.max(this.lastProposal, this.lastDelivery) >= timeout;
    const noDelivery = this.now - Math.max(this.stallStart, this.lastDelivery) >= timeout;
    let suspect = !this.local.isLeader && (noProposal || noDelivery);
    for (const item of work) {
      const since = this.firstSeen.get(item.key) ?? this.now;
      seen.set(item.key, since);
      if (this.local.isLeader) continue;
      const handed = this.handedToLeader.get(item.key);
      if (handed === undefined && this.now - since >= this.o.timings.fairForwardUs) {
        this.handedToLeader.set(item.key, this.proposalsSeen);
        this.send(this.leaderNode(), item.raw);
      } else if (handed !== undefined && this.proposalsSeen - handed >= FAIRNESS_PASSES * (queues + this.localWindow)) suspect = true;
    }
    for (const key of this.handedToLeader.keys()) if (!seen.has(key)) this.handedToLeader.delete(key);
    if (suspect && this.suspectedIn !== this.local.view) {
      this.suspectedIn = this.local.view;
      this.changesWithoutProgress++;
      this.local.suspect();
    }
    this.firstSeen = seen;
  }
}
