// The logical machine's replicated state (Lane 2008 §4.3): what every server of a site
// executes, in the order its local agreement decided, one event at a time. It holds the
// wide-area protocol (an Agreement among the sites, unmodified), the replicated application
// (a StateMachine from src/service), the sending and receiving state of every BLink logical
// link (§4.4), the CLink-Order counters of every local server (§4.5) and the LM's logical
// timers. Nothing here reads a clock, a key or the network: the server core (server-core.ts)
// verified every event before it was ordered, signs what comes out, and sends it.
//
// Events (messages.ts):
//  * evRequest — a CLink Ordering_Request: a client update for this LM;
//  * evLink — a BLink frame from another LM, delivered only in link-sequence order;
//  * evTimeout — a logical timeout, proved by its notes: "wan" (the wide-area protocol's
//    leader timer), "ack" (emit a cumulative ACK), "link:d" / "walk:d" / "fwd:d" (move the
//    logical link to site d on to its next virtual link).
import { hex, sha256 } from '../steward/crypto-port.js';
import type { StateMachine } from '../service/state-machine.js';
import { DecodeError } from '../wire/decode-error.js';
import { Agreement, type Outgoing } from './agreement.js';
import { decode, encode, isAgreement, type Msg, type WireMessage } from './messages.js';
import type { ExecuteRecord, LinkRecord } from './outputs.js';
import { cycleLength, linkByOrderP, linkByWalk, linkTimeoutUs, type VirtualLink } from './selection-order.js';
import { serversPerSite, siteOf, wideF, type ComposableTopology } from './topology.js';

export interface MachineTimings {
  /** The wide-area protocol's leader timeout in view 0 (doubles every S views, D9). */
  wanBaseUs: number;
  /** How often an LM acknowledges what it received (D8). */
  ackPeriodUs: number;
  /** A logical link's timeout on its first virtual link cycle (D8). */
  linkBaseUs: number;
}

export interface LmMachineOptions {
  topology: ComposableTopology;
  site: number;
  app: StateMachine;
  /** Wide-area seqs the leader LM may have in flight. */
  wanWindow: number;
  timings: MachineTimings;
  /** Test hook: this LM is Byzantine and proposes another value to odd-numbered sites (BFT wide area). */
  equivocate?: boolean;
  /** Deliberately broken variant: the leader LM proposes every update twice. */
  brokenDoublePropose?: boolean;
}

export interface OutgoingLm {
  /** An encoded lmMessage. */
  bytes: Uint8Array;
  links: Array<{ to: number; seq: number }>;
}

export interface Reply {
  client: number;
  ts: number;
  seq: number;
  result: Uint8Array;
}

export interface MachineEffects {
  lm: OutgoingLm[];
  executions: ExecuteRecord[];
  replies: Reply[];
  sends: LinkRecord[];
  deliveries: LinkRecord[];
  /** Destinations whose virtual link changed (the new forwarder resends). */
  rotated: Set<number>;
  /** The wide-area view moved. */
  wanView: boolean;
}

export interface LinkOut {
  nextSeq: number;
  rotations: number;
  walk: { forwarderTurn: number; peerTurn: number };
  walkStart: number;
}

/** Cap on the wide-area timeout's doublings (2^8: far beyond any test or bench transient). */
export const WAN_TIMEOUT_DOUBLINGS_MAX = 8;

const emptyEffects = (): MachineEffects => ({ lm: [], executions: [], replies: [], sends: [], deliveries: [], rotated: new Set(), wanView: false });

/** The client and timestamp of a signed update envelope, or null when it is not one. */
export function openUpdate(env: Uint8Array): { client: number; ts: number; op: Uint8Array } | null {
  try {
    const e = decode(env);
    if (e.type !== 'signed') return null;
    const u = decode(e.body);
    return u.type === 'update' && u.client === e.from ? { client: u.client, ts: u.ts, op: u.op } : null;
  } catch (err) {
    if (err instanceof DecodeError) return null;
    throw err;
  }
}

/** A BLink frame's sender site and body, for the wide-area Agreement's `open` (already verified). */
export function openFrame(raw: Uint8Array): { from: number; msg: WireMessage; lm: Msg<'lmMessage'>; frame: Msg<'blinkData'> } | null {
  try {
    const frame = decode(raw);
    if (frame.type !== 'blinkData') return null;
    const lm = decode(frame.lm);
    if (lm.type !== 'lmMessage') return null;
    return { from: lm.from, msg: decode(lm.body), lm, frame };
  } catch (err) {
    if (err instanceof DecodeError) return null;
    throw err;
  }
}

export class LmMachine {
  readonly wan: Agreement;
  /** Highest link seq delivered from each site. */
  readonly incoming: number[];
  readonly links: LinkOut[];
  /** Last executed CLink-Order request per local server: (epoch, seq_r). */
  readonly origins: Array<{ epoch: number; seqR: number }>;
  /** Armed replicated timers: name → epoch and duration. */
  readonly timers = new Map<string, { epoch: number; afterUs: number }>();
  /** Client updates this LM knows of and has not executed, in arrival order. */
  readonly pending = new Map<string, Uint8Array>();
  readonly lastTs = new Map<number, number>();
  readonly lastReply = new Map<number, Reply>();
  private readonly n: number;
  private timerGeneration = 0;
  private ackDue = false;
  private proposedKeys = new Set<string>();
  private forwardedKeys = new Set<string>();
  private seenView = 0;
  private seenInstalls = 0;
  private state: Uint8Array = new Uint8Array(32);
  private fx: MachineEffects = emptyEffects();

  constructor(private readonly o: LmMachineOptions) {
    const t = o.topology;
    this.n = serversPerSite(t);
    this.wan = new Agreement({ protocol: t.wide, n: t.sites, f: wideF(t), me: o.site, window: o.wanWindow, open: (raw) => openFrame(raw) });
    this.incoming = new Array(t.sites).fill(0);
    // Spread the forwarders (and peers) of an LM's links over its servers: link a→b starts at a+b (D7).
    this.links = Array.from({ length: t.sites }, (_, d) => ({ nextSeq: 0, rotations: 0, walk: { forwarderTurn: o.site + d, peerTurn: o.site + d }, walkStart: 2 * (o.site + d) }));
    this.origins = Array.from({ length: this.n }, () => ({ epoch: 0, seqR: 0 }));
  }

  get site(): number {
    return this.o.site;
  }

  /** The current virtual link of the logical link to `dest`: order P for a BFT LM, peer walking for a Paxos LM (§4.4.2). */
  virtualLink(dest: number): VirtualLink {
    const l = this.links[dest]!;
    return this.o.topology.local === 'bft' ? linkByOrderP(l.rotations + this.o.site + dest, this.n, this.n) : linkByWalk(l.walk, this.n, this.n);
  }

  /** The link's current timeout: doubled after every full cycle of virtual links (D8). */
  linkTimeoutUs(dest: number): number {
    const l = this.links[dest]!;
    if (this.o.topology.local === 'bft') return linkTimeoutUs(this.o.timings.linkBaseUs, l.rotations, cycleLength('order-p', this.n, this.n));
    return linkTimeoutUs(this.o.timings.linkBaseUs, l.walk.forwarderTurn + l.walk.peerTurn - l.walkStart, cycleLength('walk', this.n, this.n));
  }

  /** The epoch a link timeout note must name for `kind` on the link to `dest`. */
  linkEpoch(kind: 'link' | 'walk' | 'fwd', dest: number): number {
    const l = this.links[dest]!;
    return kind === 'link' ? l.rotations : kind === 'walk' ? l.walk.peerTurn : l.walk.forwarderTurn;
  }

  /** Executes one ordered event. */
  apply(eventBytes: Uint8Array): void {
    let ev: WireMessage;
    try {
      ev = decode(eventBytes);
    } catch (err) {
      if (err instanceof DecodeError) return;
      throw err;
    }
    if (ev.type === 'evRequest') this.onRequest(ev.request);
    else if (ev.type === 'evLink') this.onLink(ev.data);
    else if (ev.type === 'evTimeout') this.onTimeout(ev.name, ev.epoch);
    this.afterEvent();
  }

  takeEffects(): MachineEffects {
    const fx = this.fx;
    this.fx = emptyEffects();
    return fx;
  }

  // ---- events ----

  private onRequest(raw: Uint8Array): void {
    let or: Msg<'orderingRequest'>;
    try {
      const e = decode(raw);
      if (e.type !== 'signed') return;
      const b = decode(e.body);
      if (b.type !== 'orderingRequest' || b.origin >= this.n) return;
      or = b;
    } catch (err) {
      if (err instanceof DecodeError) return;
      throw err;
    }
    // §4.5: exactly the next request of its origin (a new incarnation restarts at 1, D11).
    const last = this.origins[or.origin]!;
    const next = (or.epoch === last.epoch && or.seqR === last.seqR + 1) || (or.epoch > last.epoch && or.seqR === 1);
    if (!next) return;
    this.origins[or.origin] = { epoch: or.epoch, seqR: or.seqR };
    this.onClientUpdate(or.update);
  }

  private onLink(raw: Uint8Array): void {
    const f = openFrame(raw);
    if (!f) return;
    const from = f.lm.from;
    const link = f.lm.links.find((l) => l.to === this.o.site);
    if (!link || from === this.o.site || from >= this.o.topology.sites || link.seq !== this.incoming[from]! + 1) return;
    this.incoming[from] = link.seq;
    this.fx.deliveries.push({ from, to: this.o.site, seq: link.seq, digest: hex(sha256(f.frame.lm)) });
    this.ackDue = true;
    const m = f.msg;
    if (isAgreement(m)) this.wan.receive(from, m, raw);
    else if (m.type === 'forward') this.onClientUpdate(m.update);
  }

  private onTimeout(name: string, epoch: number): void {
    const t = this.timers.get(name);
    if (t) {
      if (t.epoch !== epoch) return;
      this.timers.delete(name);
      if (name === 'wan') {
        this.wan.suspect();
        // The leader LM may be the problem: hand every pending update to every LM (PBFT clients
        // broadcast on timeout likewise), so whoever leads next has it (D9).
        const others = Array.from({ length: this.o.topology.sites }, (_, s) => s).filter((s) => s !== this.o.site);
        for (const env of this.pending.values()) this.emit(encode({ type: 'forward', update: env }), others);
      } else if (name === 'ack') this.emitAck();
      else if (name === 'catchup') this.wan.catchUp();
      return;
    }
    const [kind, d] = name.split(':');
    const dest = Number(d);
    if (!Number.isInteger(dest) || dest < 0 || dest >= this.o.topology.sites || dest === this.o.site) return;
    if ((kind !== 'link' && kind !== 'walk' && kind !== 'fwd') || this.linkEpoch(kind, dest) !== epoch) return;
    const l = this.links[dest]!;
    if (kind === 'link') l.rotations++;
    else if (kind === 'walk') l.walk.peerTurn++;
    else l.walk.forwarderTurn++;
    this.fx.rotated.add(dest);
  }

  // ---- the wide-area program around the Agreement ----

  private onClientUpdate(env: Uint8Array): void {
    const u = openUpdate(env);
    if (!u) return;
    if ((this.lastTs.get(u.client) ?? 0) >= u.ts) {
      const r = this.lastReply.get(u.client);
      if (r && r.ts === u.ts) this.fx.replies.push(r); // a retransmission: answer again
      return;
    }
    const key = `${u.client}:${u.ts}`;
    if (!this.pending.has(key)) this.pending.set(key, env);
  }

  /** After every event: run the wide-area protocol's outputs through BLink and the application. */
  private afterEvent(): void {
    for (let round = 0; round < 4; round++) {
      // A new view first (its re-proposals, still queued in the Agreement, are then recorded as bound).
      if (this.wan.view !== this.seenView || this.wan.installs !== this.seenInstalls) {
        this.seenView = this.wan.view;
        this.seenInstalls = this.wan.installs;
        this.proposedKeys = new Set();
        this.forwardedKeys = new Set();
        this.fx.wanView = true;
        this.timers.delete('wan'); // a new view gets a whole timeout of its own
      }
      this.drainWan();
      this.pushPending();
      if (this.wan.out.length === 0 && this.wan.decisions.length === 0) break;
    }
    this.updateTimers();
  }

  /** The leader LM proposes what it holds; the others forward it to the leader (once per view). */
  private pushPending(): void {
    if (this.wan.status !== 'normal') return;
    if (this.wan.isLeader) {
      // Not before the decided prefix is executed: a pending update may be decided there already.
      if (this.wan.executed < this.wan.base) return;
      for (const [key, env] of this.pending) {
        if (this.proposedKeys.has(key)) continue;
        if (!this.wan.canPropose()) break;
        this.proposedKeys.add(key);
        this.wan.propose(env);
        if (this.o.brokenDoublePropose && this.wan.canPropose()) this.wan.propose(env);
      }
      return;
    }
    for (const [key, env] of this.pending) {
      if (this.forwardedKeys.has(key)) continue;
      this.forwardedKeys.add(key);
      this.emit(encode({ type: 'forward', update: env }), [this.wan.leader]);
    }
  }

  private drainWan(): void {
    const { out, decisions } = this.wan.drain();
    for (const o of out) this.send(o);
    for (const d of decisions) this.execute(d.seq, d.value);
  }

  private send(o: Outgoing): void {
    const dests = o.to === 'all' ? Array.from({ length: this.o.topology.sites }, (_, s) => s).filter((s) => s !== this.o.site) : [o.to];
    const m = o.msg;
    if (m.type === 'propose') {
      const u = openUpdate(m.value);
      if (u) this.proposedKeys.add(`${u.client}:${u.ts}`);
      if (this.o.equivocate && dests.length > 1) {
        // A Byzantine LM: odd-numbered sites get another value for the same (view, seq).
        const other = [...this.pending.values()].find((v) => Buffer.compare(v, m.value) !== 0) ?? new Uint8Array(0);
        const victims = dests.filter((d) => d % 2 === 1);
        this.emit(encode({ ...m, value: other }), victims);
        this.emit(encode(m), dests.filter((d) => d % 2 === 0));
        return;
      }
    }
    this.emit(encode(m), dests);
  }

  /** One LM message on the logical links to `dests`, each with the link's next seq. */
  private emit(body: Uint8Array, dests: number[]): void {
    if (dests.length === 0) return;
    const links = dests.map((to) => ({ to, seq: ++this.links[to]!.nextSeq }));
    const bytes = encode({ type: 'lmMessage', from: this.o.site, links, body });
    this.fx.lm.push({ bytes, links });
    const digest = hex(sha256(bytes));
    for (const l of links) this.fx.sends.push({ from: this.o.site, to: l.to, seq: l.seq, digest });
  }

  private emitAck(): void {
    this.ackDue = false;
    const links = this.incoming.map((seq, from) => ({ from, seq })).filter((l) => l.from !== this.o.site);
    const bytes = encode({ type: 'lmMessage', from: this.o.site, links: [], body: encode({ type: 'ack', links }) });
    this.fx.lm.push({ bytes, links: [] });
  }

  private execute(seq: number, value: Uint8Array): void {
    const u = value.length > 0 ? openUpdate(value) : null;
    const record: ExecuteRecord = { seq, view: this.wan.view, client: u?.client ?? -1, ts: u?.ts ?? 0, digest: u ? hex(sha256(value)) : '', noop: true, state: '' };
    if (u && (this.lastTs.get(u.client) ?? 0) < u.ts) {
      const result = this.o.app.apply(u.op);
      this.lastTs.set(u.client, u.ts);
      this.pending.delete(`${u.client}:${u.ts}`);
      this.state = sha256(Buffer.concat([this.state, sha256(value), sha256(result)]));
      record.noop = false;
      if (siteOf(this.o.topology, u.client) === this.o.site) {
        const r: Reply = { client: u.client, ts: u.ts, seq, result };
        this.lastReply.set(u.client, r);
        this.fx.replies.push(r);
      }
      this.rearm('wan'); // progress: the leader keeps its term (§4.8.2)
    }
    record.state = hex(this.state).slice(0, 16);
    this.fx.executions.push(record);
  }

  // ---- logical timers ----

  private wanTimeoutUs(): number {
    return this.o.timings.wanBaseUs * 2 ** Math.min(WAN_TIMEOUT_DOUBLINGS_MAX, Math.floor(this.wan.view / this.o.topology.sites));
  }

  private arm(name: string, afterUs: number): void {
    this.timers.set(name, { epoch: ++this.timerGeneration, afterUs });
  }

  private rearm(name: string): void {
    if (this.timers.has(name)) this.timers.delete(name);
  }

  private updateTimers(): void {
    const wanWanted = this.pending.size > 0 || this.wan.status === 'changing';
    if (wanWanted && !this.timers.has('wan')) this.arm('wan', this.wanTimeoutUs());
    if (!wanWanted) this.timers.delete('wan');
    if (this.ackDue && !this.timers.has('ack')) this.arm('ack', this.o.timings.ackPeriodUs);
    // Decided seqs this LM has not executed (it ran ahead in views, or missed a view): fetch them.
    if (this.wan.behind && !this.timers.has('catchup')) this.arm('catchup', this.o.timings.linkBaseUs);
    if (!this.wan.behind) this.timers.delete('catchup');
  }
}
