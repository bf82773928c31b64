// A Steward server as a sans-IO core (src/sim/core.ts; Steward Ch. 3). It owns the server
// state of Fig. 3.3 and runs the inbound pipeline of §5 (decode → cheap conflict checks →
// signature checks through the crypto port → apply), the common case (§3.4.2: ASSIGN-SEQUENCE,
// THRESHOLD-SIGN, ASSIGN-GLOBAL-ORDER), execution and client replies, local and global view
// changes (§3.4.3), reconciliation (§3.4.5) and read-only queries. The reusable protocols
// live in their own modules: assign-sequence.ts, threshold-sign.ts, reliable-send.ts,
// unions.ts, timeouts.ts; decisions.md says how each [decide] of spec §15 was settled (D1…).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { DecodeError } from '../wire/decode-error.js';
import { AssignSequence, digestOf, type PrepareCertificate } from './assign-sequence.js';
import { CryptoPort, hex, sha256 } from './crypto-port.js';
import { decode, encode, ENTRY_KIND, SCOPE, type Entry, type Msg, type WireMessage } from './messages.js';
import { ReliableSend } from './reliable-send.js';
import { ThresholdSign } from './threshold-sign.js';
import { timeoutsFor } from './timeouts.js';
import {
  acceptsNeeded, isClient, leaderSiteOf, repOf, serverIdOf, serverNode, serversPerSite, siteMajority, siteOf, siteThreshold, type StewardTopology,
} from './topology.js';
import { computeConstraintUnion, computeGlobalUnion, computeLocalUnion, extractAru, type ConstrainingEntry } from './unions.js';
import { openSigned, openSiteSigned, type Opened } from './envelopes.js';
import { OUT, type ExecuteRecord } from './outputs.js';
import { contiguousAbove, Evidence } from './entries.js';
import { Reconciliation } from './reconciliation.js';

export interface StewardServerOptions {
  topology: StewardTopology;
  node: NodeId;
  /** Minimum global timeout K (timeouts.ts defaultK). */
  kUs: TimeUs;
  /** Sequence window W (Fig. 3.9; D2). */
  window: number;
  /** Period of the rep's re-sends of unordered wide-area messages and of reconciliation checks (D9). */
  reconPeriodUs: TimeUs;
  /** Requests from one peer served at most once per this (LOCAL/GLOBAL_RECON_THROTTLE, D9). */
  reconThrottleUs: TimeUs;
  /**
   * A deliberately broken variant for the checker test (never in production): the leader
   * site's rep assigns each update twice, at consecutive seqs, skipping the binding check.
   */
  brokenDoubleAssign?: boolean;
}

interface ProposalRec {
  site: number;
  gv: number;
  lv: number;
  update: Uint8Array;
  digest: Uint8Array;
  env: Uint8Array;
}

interface GouRec {
  gv: number;
  lv: number;
  update: Uint8Array;
  digest: Uint8Array;
  bytes: Uint8Array;
}

interface GlobalSlot {
  proposal?: ProposalRec;
  /** Accepts by site, all from `acceptsGv`. */
  accepts: Map<number, Uint8Array>;
  acceptsGv: number;
  /** Accepts that came before their Proposal (spec §15.12: buffering is safe). */
  early: Map<number, { gv: number; digest: Uint8Array; env: Uint8Array }>;
  gou?: GouRec;
}

interface PooledUpdate {
  client: number;
  ts: number;
  env: Uint8Array;
  digest: Uint8Array;
}

const TIMER = { local: 'local-t', global: 'global-t', recon: 'recon' } as const;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
const updateKey = (client: number, ts: number) => `${client}:${ts}`;

export class StewardServer implements Core {
  readonly t: StewardTopology;
  readonly node: NodeId;
  readonly site: number;
  readonly myId: number;
  readonly n: number;
  readonly port = new CryptoPort();
  private readonly assign: AssignSequence;
  private readonly tsign: ThresholdSign;
  private readonly reliable: ReliableSend;
  private readonly evidence: Evidence;
  private readonly recon: Reconciliation;
  readonly corrupted = new Set<number>();
  private now: TimeUs = 0;
  /** Decode errors by code: counted and dropped (DESIGN principle 5). */
  readonly dropped = new Map<string, number>();

  // ---- global context (Fig. 3.3) ----
  gv = 0;
  gpv = 0;
  globallyConstrained = true; // D11: (gv, lv) = (0, 0) starts constrained
  private readonly latestGlobalVC = new Map<number, { gv: number; env: Uint8Array }>();
  private readonly global = new Map<number, GlobalSlot>();
  globalAru = 0;
  private globalSeq = 1;
  // ---- local context ----
  lv = 0;
  lpv = 0;
  locallyConstrained = true;
  private readonly latestNewRep = new Map<number, { lv: number; env: Uint8Array }>();
  private pendingProposalAru = 0;
  private readonly pool = new Map<string, PooledUpdate>();
  // ---- execution and clients ----
  private appState: Uint8Array = new Uint8Array(32);
  private readonly lastExecutedTs = new Map<number, number>();
  private readonly lastReply = new Map<number, { ts: number; env: Uint8Array }>();
  // ---- view-change state collection ----
  private collecting: { scope: number; gv: number; lv: number; invocationAru: number; reports: Map<number, Uint8Array> } | null = null;
  private awaitingState: { scope: number; gv: number; lv: number; invocationAru: number } | null = null;
  private pendingBundle: Opened<Msg<'collectedState'>> | null = null;
  private readonly constraints = new Map<number, Uint8Array>();
  private lastCGC: Uint8Array | null = null;
  private pendingCGC: Opened<Msg<'collectedGlobalConstraints'>> | null = null;
  private constraintSent = -1;
  // ---- reconciliation (Figs 3.24, 3.25) ----
  private maxSeenSeq = 0;
  private timersRunning = { local: false, global: false };
  private readonly deferred = new Map<number, Array<() => void>>();
  /** Updates the rep assigned whose signed Pre-Prepare is not back yet: already bound. */
  private readonly assigning = new Map<number, string>();

  constructor(readonly o: StewardServerOptions) {
    this.t = o.topology;
    this.node = o.node;
    this.site = siteOf(this.t, o.node);
    this.myId = serverIdOf(this.t, o.node);
    this.n = serversPerSite(this.t);
    this.assign = new AssignSequence({
      f: this.t.f,
      myId: this.myId,
      repOf: (lv) => repOf(this.t, lv),
      mayPrepare: (seq, digest, gv, lv) => this.mayPrepare(seq, digest, gv, lv),
      sendPrepare: (gv, lv, seq, digest, stored) => this.sendLocal({ type: 'prepare', gv, lv, seq, digest }, stored),
      onCertificate: (pc) => this.onCertificate(pc),
    });
    this.tsign = new ThresholdSign({
      port: this.port,
      myId: this.myId,
      threshold: siteThreshold(this.t),
      sendLocalAll: (body) => this.sendLocal(body),
      corrupted: this.corrupted,
      onBlacklist: (s) => this.emit(OUT.blacklist, { server: s }),
    });
    this.evidence = new Evidence(this.t, this.port);
    this.recon = new Reconciliation({
      sites: this.t.sites,
      mySite: this.site,
      myId: this.myId,
      serversPerSite: this.n,
      window: o.window,
      throttleUs: o.reconThrottleUs,
      now: () => this.now,
      globalAru: () => this.globalAru,
      sawHigherSeq: () => this.maxSeenSeq > this.globalAru,
      hasPendingUpdate: () => this.pool.size > 0,
      gouBytes: (seq) => this.global.get(seq)?.gou?.bytes,
      serverNode: (site, id) => serverNode(this.t, site, id),
      send: (to, bytes) => this.send(to, bytes),
      sendLocal: (body) => this.sendLocal(body),
      contribute: (data) => this.tsign.contribute(data),
      siteSign: (body, done) => this.siteSign(body, done),
    });
    this.reliable = new ReliableSend({
      sites: this.t.sites,
      mySite: this.site,
      myId: this.myId,
      f: this.t.f,
      sendLocalAllReliable: (inner) => this.sendLocal({ type: 'reliable', inner }),
      sendToServer: (site, id, bytes) => this.send(serverNode(this.t, site, id), bytes),
    });
  }

  // ======================================================================
  // Core contract
  // ======================================================================

  handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    this.now = nowUs;
    switch (event.kind) {
      case 'start':
        this.port.out.push({ kind: 'set-timer', timer: TIMER.recon, afterUs: this.o.reconPeriodUs });
        this.emitView();
        break;
      case 'receive':
        this.receive(event.from, event.bytes);
        break;
      case 'crypto':
        this.port.answer(event.job, event.ok, event.bytes);
        break;
      case 'timer':
        this.onTimer(event.timer);
        break;
      default:
        break;
    }
    return this.port.drain();
  }

  // ---- helpers: sending ----

  private send(to: NodeId, bytes: Uint8Array): void {
    if (to !== this.node) this.port.out.push({ kind: 'send', to, bytes });
  }

  private sendSite(bytes: Uint8Array): void {
    for (let i = 0; i < this.n; i++) if (i !== this.myId) this.send(serverNode(this.t, this.site, i), bytes);
  }

  /** RSA-sign `body` and send it to every other server of the site (or to `to` only). */
  private sendLocal(body: WireMessage, stored?: (env: Uint8Array) => void, to?: NodeId): void {
    const bodyBytes = encode(body);
    this.port.sign(bodyBytes, (sig) => {
      const env = encode({ type: 'signed', from: this.node, body: bodyBytes, sig });
      if (to !== undefined) this.send(to, env);
      else this.sendSite(env);
      stored?.(env);
    });
  }

  private siteRep(site: number): NodeId {
    return serverNode(this.t, site, repOf(this.t, this.latestNewRep.get(site)?.lv ?? (site === this.site ? this.lv : 0)));
  }

  private sendToOtherReps(bytes: Uint8Array): void {
    for (let s = 0; s < this.t.sites; s++) if (s !== this.site) this.send(this.siteRep(s), bytes);
  }

  /** THRESHOLD-SIGN `body` as this site; `done` gets the siteSigned envelope. */
  private siteSign(body: WireMessage, done: (env: Uint8Array) => void): void {
    const data = encode(body);
    this.tsign.sign(data, (sig) => {
      this.tsign.forget(data);
      done(encode({ type: 'siteSigned', site: this.site, body: data, sig }));
    });
  }

  private emit(name: string, data: Record<string, number | string | boolean>): void {
    this.port.out.push({ kind: 'output', name, data });
  }

  private emitView(): void {
    this.emit(OUT.view, { gv: this.gv, gpv: this.gpv, lv: this.lv, lpv: this.lpv, local: this.timersRunning.local, global: this.timersRunning.global });
  }

  get amRep(): boolean {
    return this.myId === repOf(this.t, this.lv);
  }
  get leaderSite(): number {
    return leaderSiteOf(this.t, this.gv);
  }
  get inLeaderSite(): boolean {
    return this.site === this.leaderSite;
  }

  // ======================================================================
  // Inbound pipeline (§5): decode, cheap checks, verify, apply
  // ======================================================================

  private countDrop(code: string): void {
    this.dropped.set(code, (this.dropped.get(code) ?? 0) + 1);
  }

  private receive(from: NodeId, bytes: Uint8Array): void {
    let m: WireMessage;
    try {
      m = decode(bytes);
    } catch (e) {
      if (e instanceof DecodeError) return this.countDrop(e.code);
      throw e;
    }
    try {
      if (m.type === 'signed') this.onSigned(from, bytes, m);
      else if (m.type === 'siteSigned') this.onSiteSigned(from, bytes, m);
      else if (m.type === 'gou') this.verifyGou(bytes, (g) => g && this.applyGou(g.seq, g.rec));
      else if (m.type === 'globalPreinstallProof') this.onPreinstallProof(m);
      else this.countDrop('unauthenticated');
    } catch (e) {
      if (e instanceof DecodeError) return this.countDrop(e.code);
      throw e;
    }
  }

  private onSigned(via: NodeId, bytes: Uint8Array, env: Msg<'signed'>): void {
    const o = openSigned(bytes);
    const from = env.from;
    const body = o.body;
    if (isClient(this.t, from)) {
      if (body.type === 'update') return this.onClientUpdate(via, o as Opened<Msg<'update'>>);
      if (body.type === 'query' && siteOf(this.t, from) === this.site && via === from) return this.onQuery(o as Opened<Msg<'query'>>);
      return this.countDrop('bad-client-message');
    }
    // Intra-site messages only from the servers of this site, never from the blacklisted.
    if (siteOf(this.t, from) !== this.site || from === this.node || from >= this.t.sites * this.n) return this.countDrop('foreign-signed');
    const sid = serverIdOf(this.t, from);
    if (this.corrupted.has(sid)) return this.countDrop('blacklisted');
    if (!this.worthVerifying(sid, body)) return;
    this.port.verify(from, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return this.countDrop('bad-signature');
      this.applySigned(sid, o, bytes);
    });
  }

  /** Cheap Fig. 3.6 checks before paying for a signature check. */
  private worthVerifying(sid: number, b: WireMessage): boolean {
    switch (b.type) {
      case 'prePrepare':
        return b.gv === this.gv && b.lv === this.lv && sid === repOf(this.t, b.lv) && this.inLeaderSite;
      case 'prepare':
        return b.gv === this.gv && b.lv === this.lv && this.assign.wantsPrepare(b.gv, b.lv, b.seq, sid);
      case 'partialSig':
        return this.tsign.wants(b.data);
      case 'requestState':
        return b.gv === this.gv && b.lv === this.lv && sid === repOf(this.t, this.lv);
      case 'serverState':
        return b.gv === this.gv && b.lv === this.lv && this.amRep && this.collecting?.invocationAru === b.invocationAru && this.collecting.scope === b.scope && !this.collecting.reports.has(sid);
      case 'collectedState':
        return b.gv === this.gv && b.lv === this.lv && sid === repOf(this.t, this.lv);
      case 'collectedGlobalConstraints':
        return b.gv === this.gv && !this.globallyConstrained;
      case 'localReconRequest':
      case 'globalReconRequest':
        return b.aru < this.globalAru || b.type === 'globalReconRequest';
      default:
        return true;
    }
  }

  private applySigned(sid: number, o: Opened<WireMessage>, bytes: Uint8Array): void {
    const b = o.body;
    switch (b.type) {
      case 'prePrepare':
        return this.onPrePrepare(sid, b, bytes);
      case 'prepare':
        return this.assign.onPrepare(sid, b.gv, b.lv, b.seq, b.digest, bytes);
      case 'partialSig':
        return this.tsign.onPartial(sid, b.data, b.partial);
      case 'corruptedServer':
        return this.tsign.onAccusation(b.accused, b.data, b.partial);
      case 'requestState':
        return this.onRequestState(b);
      case 'serverState':
        return this.onServerState(sid, b, bytes);
      case 'collectedState':
        return this.onCollectedState(o as Opened<Msg<'collectedState'>>);
      case 'collectedGlobalConstraints':
        return this.onCGC(o as Opened<Msg<'collectedGlobalConstraints'>>);
      case 'reliable':
        return this.onReliable(b.inner);
      case 'localReconRequest':
        return this.recon.onLocalRequest(sid, b);
      case 'globalReconRequest':
        return this.recon.onGlobalRequest(sid, b);
      default:
        return this.countDrop('unexpected-signed');
    }
  }

  private onSiteSigned(via: NodeId, bytes: Uint8Array, env: Msg<'siteSigned'>): void {
    if (env.site >= this.t.sites) return this.countDrop('bad-site');
    const o = openSiteSigned(bytes);
    const b = o.body;
    if (!this.worthVerifyingSite(env.site, b)) return;
    this.port.verifySite(env.site, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return this.countDrop('bad-site-signature');
      if ('site' in b && b.site !== env.site) return this.countDrop('site-mismatch');
      this.applySiteSigned(via, env.site, b, bytes);
    });
  }

  private worthVerifyingSite(site: number, b: WireMessage): boolean {
    switch (b.type) {
      case 'proposal':
        return b.gv === this.gv && site === this.leaderSite && !this.inLeaderSite && !this.global.get(b.seq)?.gou && b.seq > this.globalAru;
      case 'accept':
        return b.gv === this.gv && b.seq > this.globalAru && !this.global.get(b.seq)?.gou && !this.global.get(b.seq)?.accepts.has(site);
      case 'newRep':
        return b.lv > (this.latestNewRep.get(site)?.lv ?? 0);
      case 'globalVC':
        return b.gv > (this.latestGlobalVC.get(site)?.gv ?? 0);
      case 'aruMessage':
        return b.gv === this.gv && !this.inLeaderSite && site === this.leaderSite;
      case 'globalConstraint':
        return b.gv === this.gv && this.inLeaderSite && this.amRep && !this.constraints.has(site);
      case 'globalRecon':
        return true;
      default:
        return false;
    }
  }

  private applySiteSigned(via: NodeId, site: number, b: WireMessage, bytes: Uint8Array): void {
    const fromOutside = siteOf(this.t, via) !== this.site || isClient(this.t, via);
    switch (b.type) {
      case 'proposal':
        return this.onProposal(b, bytes, fromOutside);
      case 'accept':
        return this.onAccept(site, b, bytes, fromOutside);
      case 'newRep':
        return this.onNewRep(site, b.lv, bytes, fromOutside);
      case 'globalVC':
        return this.onGlobalVC(site, b.gv, bytes, fromOutside);
      case 'aruMessage':
        return this.onAruMessage(b, bytes, fromOutside);
      case 'globalConstraint':
        return this.onGlobalConstraint(site, bytes);
      case 'globalRecon':
        return this.recon.onGlobalRecon(site, b, via);
      default:
        return this.countDrop('unexpected-site-signed');
    }
  }

  // ======================================================================
  // Updates, ASSIGN-SEQUENCE, ASSIGN-GLOBAL-ORDER (Figs 3.11–3.13)
  // ======================================================================

  /** Fig. 3.7 F with dedup by (client_id, ts) and replay rejection (D4). */
  private onClientUpdate(via: NodeId, o: Opened<Msg<'update'>>): void {
    const u = o.body;
    if (u.client !== o.from) return this.countDrop('client-mismatch');
    const done = this.lastExecutedTs.get(u.client) ?? 0;
    if (u.ts <= done) {
      const r = this.lastReply.get(u.client);
      if (r && r.ts === u.ts && via === u.client) this.send(u.client, r.env);
      return;
    }
    const key = updateKey(u.client, u.ts);
    if (this.pool.has(key)) {
      // A client's retry: the leader site's rep may be what failed, so tell all of the leader site (D10).
      if (via === u.client && this.amRep && !this.inLeaderSite) this.forwardPool(true);
      return;
    }
    const env = o.raw;
    this.port.verify(u.client, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return this.countDrop('bad-client-signature');
      if (this.pool.has(key) || u.ts <= (this.lastExecutedTs.get(u.client) ?? 0)) return;
      this.pool.set(key, { client: u.client, ts: u.ts, env, digest: digestOf(env) });
      const outside = siteOf(this.t, via) !== this.site || isClient(this.t, via);
      if (outside) this.sendSite(env);
      if (this.amRep && !this.inLeaderSite) this.send(this.siteRep(this.leaderSite), env);
      this.armTimers();
      this.tryPropose();
    }, true);
  }

  /** Fig. 3.6 Pre-Prepare / Prepare conflicts that need more than the slot. */
  private mayPrepare(seq: number, digest: Uint8Array, gv: number, lv: number): boolean {
    if (!(this.globallyConstrained && this.locallyConstrained) || gv !== this.gv || lv !== this.lv || !this.inLeaderSite) return false;
    if (!this.inWindow(seq) || !this.isContiguous(seq)) return false;
    const g = this.global.get(seq);
    if (g?.gou && !same(g.gou.digest, digest)) return false;
    if (g?.proposal && !same(g.proposal.digest, digest) && (g.proposal.gv >= gv)) return false;
    if (this.o.brokenDoubleAssign) return true;
    return !this.boundElsewhere(digest, seq);
  }

  /** "u is already bound to another seq' in either history" (Fig. 3.6). */
  private boundElsewhere(digest: Uint8Array, seq: number): boolean {
    if (this.assign.boundElsewhere(digest, seq)) return true;
    for (const [s, g] of this.global) {
      if (s === seq) continue;
      if ((g.gou && same(g.gou.digest, digest)) || (g.proposal && same(g.proposal.digest, digest))) return true;
    }
    return false;
  }

  private inWindow(seq: number): boolean {
    return seq > this.globalAru && seq <= this.globalAru + this.o.window;
  }

  /** Is-Contiguous (Fig. 3.9, spec §15.5: index [i]). */
  private isContiguous(seq: number): boolean {
    for (let i = this.globalAru + 1; i < seq; i++) if (!this.hasEntry(i)) return false;
    return true;
  }

  private hasEntry(seq: number): boolean {
    const g = this.global.get(seq);
    return !!(g?.gou || g?.proposal || this.assign.certificates.has(seq));
  }

  private onPrePrepare(sid: number, pp: Msg<'prePrepare'>, env: Uint8Array): void {
    // The embedded Update must carry its client's signature (Valid(m), §5).
    let u: Opened<Msg<'update'>>;
    try {
      u = openSigned(pp.update) as Opened<Msg<'update'>>;
    } catch (e) {
      if (e instanceof DecodeError) return this.countDrop('bad-embedded-update');
      throw e;
    }
    if (u.body.type !== 'update' || u.body.client !== u.from || !isClient(this.t, u.from)) return this.countDrop('bad-embedded-update');
    this.port.verify(u.from, u.bodyBytes, u.sig, (ok) => {
      if (!ok) return this.countDrop('bad-client-signature');
      this.noteSeq(pp.seq);
      this.prePrepareWhenContiguous(sid, pp, env);
    }, true);
  }

  /** Pipelined Pre-Prepares may overtake the PC of the seq before: wait for it rather than drop (D8). */
  private prePrepareWhenContiguous(sid: number, pp: Msg<'prePrepare'>, env: Uint8Array): void {
    if (pp.gv !== this.gv || pp.lv !== this.lv) return;
    if (this.inWindow(pp.seq) && !this.isContiguous(pp.seq)) return this.defer(pp.seq, () => this.prePrepareWhenContiguous(sid, pp, env));
    this.assign.onPrePrepare(sid, pp.gv, pp.lv, pp.seq, pp.update, env);
  }

  /** ASSIGN-GLOBAL-ORDER trigger (Fig. 3.12): the leader site's rep assigns what it can. */
  private tryPropose(): void {
    if (!(this.amRep && this.inLeaderSite && this.globallyConstrained && this.locallyConstrained)) return;
    if (this.globalSeq <= this.globalAru) this.globalSeq = this.globalAru + 1;
    while (this.inWindow(this.globalSeq)) {
      const seq = this.globalSeq;
      if (this.global.get(seq)?.gou) {
        this.globalSeq++;
        continue;
      }
      const u = this.nextToPropose(seq);
      if (!u) break;
      this.globalSeq++;
      this.assignSequence(seq, u);
      if (this.o.brokenDoubleAssign && this.inWindow(this.globalSeq)) this.assignSequence(this.globalSeq++, u);
    }
  }

  /** Get-Next-To-Propose (Fig. 3.13): existing bindings first, then an unbound pooled update. */
  private nextToPropose(seq: number): Uint8Array | null {
    const g = this.global.get(seq);
    if (g?.proposal) return g.proposal.update;
    const pc = this.assign.certificates.get(seq);
    if (pc) return pc.update;
    for (const [key, p] of this.pool) {
      if ((this.lastExecutedTs.get(p.client) ?? 0) >= p.ts) {
        this.pool.delete(key);
        continue;
      }
      if ([...this.assigning.values()].includes(hex(p.digest))) continue;
      if (!this.boundElsewhere(p.digest, seq) && !this.assign.prePrepared(seq, this.gv, this.lv)) return p.env;
    }
    return null;
  }

  private assignSequence(seq: number, update: Uint8Array): void {
    const gv = this.gv;
    const lv = this.lv;
    this.emit(OUT.prePrepare, { gv, lv, seq, digest: hex(digestOf(update)) });
    this.assigning.set(seq, hex(digestOf(update)));
    this.sendLocal({ type: 'prePrepare', gv, lv, seq, update }, (env) => {
      this.assigning.delete(seq);
      if (gv === this.gv && lv === this.lv) this.assign.storeOwnPrePrepare(gv, lv, seq, update, env);
    });
  }

  /** A PC formed: THRESHOLD-SIGN the Proposal (the commit-like third round, §3.4.2). */
  private onCertificate(pc: PrepareCertificate): void {
    this.emit(OUT.pc, { site: this.site, gv: pc.gv, lv: pc.lv, seq: pc.seq, digest: hex(pc.digest) });
    this.runDeferred(pc.seq + 1);
    if (pc.gv !== this.gv) return;
    this.proposeFrom(pc.seq, pc.gv, pc.lv, pc.update);
  }

  private proposeFrom(seq: number, gv: number, lv: number, update: Uint8Array, after?: () => void): void {
    this.siteSign({ type: 'proposal', site: this.site, gv, lv, seq, update }, (env) => {
      this.emit(OUT.proposal, { site: this.site, gv, lv, seq, digest: hex(digestOf(update)) });
      this.storeProposal(seq, { site: this.site, gv, lv, update, digest: digestOf(update), env });
      if (gv === this.gv && this.amRep && this.inLeaderSite) this.sendToOtherReps(env);
      after?.();
    });
  }

  private slotOf(seq: number): GlobalSlot {
    let g = this.global.get(seq);
    if (!g) this.global.set(seq, (g = { accepts: new Map(), acceptsGv: -1, early: new Map() }));
    return g;
  }

  /** Fig. 3.8 Proposal apply: an empty slot or an older gv is replaced; the PC is dropped (§15.7). */
  private storeProposal(seq: number, p: ProposalRec): boolean {
    if (seq <= this.globalAru) return false;
    const g = this.slotOf(seq);
    if (g.gou) return false;
    if (g.proposal && g.proposal.gv >= p.gv) return same(g.proposal.digest, p.digest);
    g.proposal = p;
    this.noteSeq(seq);
    this.assign.dropCertificate(seq, p.gv);
    if (this.inLeaderSite) this.recomputePendingProposalAru();
    for (const [site, e] of g.early) if (e.gv === p.gv && same(e.digest, p.digest)) this.addAccept(seq, site, e.gv, e.env);
    g.early.clear();
    this.runDeferred(seq + 1);
    this.checkOrdered(seq);
    return true;
  }

  private recomputePendingProposalAru(): void {
    let s = Math.max(this.pendingProposalAru, this.globalAru);
    while (this.global.get(s + 1)?.proposal || this.global.get(s + 1)?.gou) s++;
    this.pendingProposalAru = s;
  }

  private defer(seq: number, retry: () => void): void {
    let l = this.deferred.get(seq);
    if (!l) this.deferred.set(seq, (l = []));
    if (l.length < this.n * 4) l.push(retry);
  }

  private runDeferred(seq: number): void {
    const l = this.deferred.get(seq);
    if (!l) return;
    this.deferred.delete(seq);
    for (const retry of l) retry();
  }

  /** A Proposal at a non-leader site: store, relay, THRESHOLD-SIGN the Accept (Fig. 3.12). */
  private onProposal(p: Msg<'proposal'>, bytes: Uint8Array, fromOutside: boolean): void {
    if (p.gv !== this.gv || this.inLeaderSite || p.site !== this.leaderSite) return;
    if (!this.inWindow(p.seq)) return;
    if (!this.isContiguous(p.seq)) {
      this.noteSeq(p.seq);
      return this.defer(p.seq, () => this.onProposal(p, bytes, fromOutside));
    }
    const g = this.global.get(p.seq);
    const digest = digestOf(p.update);
    if (g?.gou && (!same(g.gou.digest, digest) || g.gou.gv > p.gv)) return;
    if (fromOutside && this.amRep) this.sendSite(bytes);
    if (!this.storeProposal(p.seq, { site: p.site, gv: p.gv, lv: p.lv, update: p.update, digest, env: bytes })) return;
    this.siteSign({ type: 'accept', site: this.site, gv: p.gv, lv: p.lv, seq: p.seq, digest }, (acc) => {
      this.addAccept(p.seq, this.site, p.gv, acc);
      if (this.amRep) this.sendToOtherReps(acc);
    });
  }

  private onAccept(site: number, a: Msg<'accept'>, bytes: Uint8Array, fromOutside: boolean): void {
    if (a.gv !== this.gv || site === this.site) return;
    if (fromOutside && this.amRep) this.sendSite(bytes);
    this.noteSeq(a.seq);
    const g = this.slotOf(a.seq);
    if (g.gou) return;
    if (!g.proposal || g.proposal.gv !== a.gv) {
      if (g.early.size < this.t.sites) g.early.set(site, { gv: a.gv, digest: a.digest, env: bytes });
      return;
    }
    if (!same(g.proposal.digest, a.digest)) return;
    this.addAccept(a.seq, site, a.gv, bytes);
  }

  private addAccept(seq: number, site: number, gv: number, env: Uint8Array): void {
    const g = this.slotOf(seq);
    if (g.acceptsGv < gv) {
      g.accepts.clear();
      g.acceptsGv = gv;
    } else if (g.acceptsGv > gv) return;
    if (!g.accepts.has(site)) g.accepts.set(site, env);
    this.checkOrdered(seq);
  }

  /** Globally-Ordered-Ready, main branch (spec §15.13, D13). */
  private checkOrdered(seq: number): void {
    const g = this.global.get(seq);
    if (!g?.proposal || g.gou) return;
    const p = g.proposal;
    if (g.acceptsGv !== p.gv) return;
    const others = [...g.accepts].filter(([s]) => s !== p.site).sort((a, b) => a[0] - b[0]);
    if (others.length < acceptsNeeded(this.t)) return;
    const bytes = encode({ type: 'gou', proposal: p.env, accepts: others.slice(0, acceptsNeeded(this.t)).map(([, e]) => e) });
    this.applyGou(seq, { gv: p.gv, lv: p.lv, update: p.update, digest: p.digest, bytes });
  }

  /** A GOU received bare (reconciliation): checked, unless this server already ordered that seq. */
  private verifyGou(bytes: Uint8Array, done: (g: { seq: number; rec: GouRec } | null) => void): void {
    const g = this.evidence.parseGou(bytes);
    if (!g) {
      this.countDrop('bad-gou');
      return done(null);
    }
    if (g.seq <= this.globalAru || this.global.get(g.seq)?.gou) return done(null);
    this.evidence.verifyGou(g, (ok) => done(ok ? { seq: g.seq, rec: { gv: g.gv, lv: g.lv, update: g.update, digest: g.digest, bytes } } : null));
  }

  /** Fig. 3.8 C: store a GOU, advance Global_aru, execute in order. */
  private applyGou(seq: number, rec: GouRec): void {
    if (seq <= this.globalAru || this.global.get(seq)?.gou) return;
    this.noteSeq(seq);
    if (!this.isContiguous(seq)) return this.defer(seq, () => this.applyGou(seq, rec));
    const g = this.slotOf(seq);
    g.gou = rec;
    this.emit(OUT.gou, { seq, gv: rec.gv, digest: hex(rec.digest) });
    const before = this.globalAru;
    while (this.global.get(this.globalAru + 1)?.gou) this.execute(this.globalAru + 1);
    if (this.globalAru > before) this.onProgress();
    this.runDeferred(seq + 1);
  }

  private execute(seq: number): void {
    const g = this.global.get(seq)!;
    const gou = g.gou!;
    const u = openSigned(gou.update) as Opened<Msg<'update'>>;
    const { client, ts, op } = u.body;
    const noop = (this.lastExecutedTs.get(client) ?? 0) >= ts;
    if (!noop) {
      this.appState = sha256(Buffer.concat([this.appState, sha256(op)]));
      this.lastExecutedTs.set(client, ts);
    }
    this.globalAru = seq;
    this.pool.delete(updateKey(client, ts));
    const rec: ExecuteRecord = { seq, gv: gou.gv, lv: this.lv, client, ts, digest: hex(gou.digest), noop, state: hex(this.appState).slice(0, 16) };
    this.emit(OUT.execute, rec as unknown as Record<string, number | string | boolean>);
    // Keep the slot's GOU for reconciliation; everything else about seq is history.
    g.proposal = undefined;
    g.accepts.clear();
    g.early.clear();
    this.assign.garbageCollect(seq);
    if (!noop && siteOf(this.t, client) === this.site) {
      const reply: WireMessage = { type: 'reply', client, ts, seq, result: this.appState };
      const bodyBytes = encode(reply);
      this.port.sign(bodyBytes, (sig) => {
        const env = encode({ type: 'signed', from: this.node, body: bodyBytes, sig });
        this.lastReply.set(client, { ts, env });
        this.send(client, env);
      });
    }
  }

  private onProgress(): void {
    if (this.inLeaderSite) this.recomputePendingProposalAru();
    this.restartTimers();
    this.retryWaiting();
    this.tryPropose();
  }

  /** Read-only queries (§3.1, D5): answered from local state with the aru it reflects. */
  private onQuery(o: Opened<Msg<'query'>>): void {
    const q = o.body;
    this.port.verify(q.client, o.bodyBytes, o.sig, (ok) => {
      if (!ok) return this.countDrop('bad-client-signature');
      this.sendLocal({ type: 'queryReply', client: q.client, ts: q.ts, aru: this.globalAru, result: this.appState }, undefined, q.client);
    });
  }

  private noteSeq(seq: number): void {
    if (seq > this.maxSeenSeq) this.maxSeenSeq = seq;
  }

  // ======================================================================
  // Timers and leader election (Figs 3.14–3.16, §3.4.4)
  // ======================================================================

  private plan() {
    return timeoutsFor(this.o.kUs, this.gv, this.t.sites, this.t.f);
  }

  private localTimeoutUs(): number {
    const p = this.plan();
    return this.inLeaderSite ? p.leaderLocalUs : p.nonLeaderLocalUs;
  }

  /**
   * D6: a server suspects its leaders only while it holds an update it has not executed, or
   * (global timer only) while another site has asked for a newer global view: that site holds
   * such an update and cannot make progress in ours.
   */
  private wantsGlobalProgress(): boolean {
    if (this.pool.size > 0) return true;
    for (const v of this.latestGlobalVC.values()) if (v.gv > this.gv) return true;
    return false;
  }

  private armTimers(): void {
    if (!this.timersRunning.global && this.gpv === this.gv && this.wantsGlobalProgress()) {
      this.timersRunning.global = true;
      this.port.out.push({ kind: 'set-timer', timer: TIMER.global, afterUs: this.plan().globalUs });
    }
    if (this.pool.size === 0) return;
    if (!this.timersRunning.local && this.lpv === this.lv) {
      this.timersRunning.local = true;
      this.port.out.push({ kind: 'set-timer', timer: TIMER.local, afterUs: this.localTimeoutUs() });
    }
  }

  /** Fig. 3.8 C step 3: progress resets both timers (only those that run: spec §15.16). */
  private restartTimers(): void {
    for (const k of ['local', 'global'] as const) {
      if (!this.timersRunning[k]) continue;
      this.timersRunning[k] = false;
      this.port.out.push({ kind: 'cancel-timer', timer: TIMER[k] });
    }
    this.armTimers();
  }

  private onTimer(name: string): void {
    if (name === TIMER.recon) return this.onReconTimer();
    if (name === TIMER.local) {
      this.timersRunning.local = false;
      if (this.pool.size === 0) return;
      // Fig. 3.14: move to lv+1 with the timer stopped, sign New_Rep(lv+1).
      this.lv++;
      this.locallyConstrained = false;
      this.emitView();
      const lv = this.lv;
      this.siteSign({ type: 'newRep', site: this.site, lv }, (env) => this.onNewRep(this.site, lv, env, false));
      return;
    }
    if (name === TIMER.global) {
      this.timersRunning.global = false;
      if (!this.wantsGlobalProgress()) return;
      // Fig. 3.15: move to gv+1 with the timer stopped, sign Global_VC(gv+1).
      this.gv++;
      this.globallyConstrained = false;
      this.locallyConstrained = false;
      this.emitView();
      const gv = this.gv;
      this.siteSign({ type: 'globalVC', site: this.site, gv }, (env) => {
        this.onGlobalVC(this.site, gv, env, false);
        this.reliable.invoke(env);
      });
    }
  }

  /** Fig. 3.7 E (and spec §15.6: view = max(view, preinstalled)). */
  private onNewRep(site: number, lv: number, env: Uint8Array, fromOutside: boolean): void {
    const old = this.latestNewRep.get(site);
    if (old && old.lv >= lv) return;
    this.latestNewRep.set(site, { lv, env });
    if (fromOutside) this.sendSite(env);
    if (site === this.leaderSite && site !== this.site) this.forwardPool();
    if (site !== this.site || lv <= this.lpv) return;
    this.lpv = lv;
    if (lv > this.lv) {
      this.lv = lv;
      this.locallyConstrained = false;
    }
    this.sendSite(env);
    this.reliable.invoke(env);
    if (this.timersRunning.local) this.port.out.push({ kind: 'cancel-timer', timer: TIMER.local });
    this.timersRunning.local = false;
    this.armTimers();
    this.emitView();
    this.forwardPool(true);
    if (this.amRep && this.inLeaderSite) {
      this.startCollection(SCOPE.local, this.pendingProposalAru);
      if (!this.globallyConstrained) this.startCollection(SCOPE.global, this.globalAru);
      else if (this.lastCGC) this.sendSite(this.lastCGC);
    }
  }

  /**
   * D10: a non-leader rep hands its pending updates to the leader site's rep whenever either
   * of them changed (Fig. 3.7 F forwards only on first receipt, which a replaced rep would lose).
   */
  private forwardPool(toWholeSite = false): void {
    if (!this.amRep || this.inLeaderSite) return;
    const targets = toWholeSite ? Array.from({ length: this.n }, (_, i) => serverNode(this.t, this.leaderSite, i)) : [this.siteRep(this.leaderSite)];
    for (const p of this.pool.values()) for (const to of targets) this.send(to, p.env);
  }

  private onGlobalVC(site: number, gv: number, env: Uint8Array, fromOutside: boolean): void {
    const old = this.latestGlobalVC.get(site);
    if (old && old.gv >= gv) return;
    this.latestGlobalVC.set(site, { gv, env });
    if (fromOutside) this.sendSite(env);
    // Global_preinstalled_view: the largest g with a majority of sites at ≥ g.
    const views = [...this.latestGlobalVC.values()].map((v) => v.gv).sort((a, b) => b - a);
    const g = views[siteMajority(this.t) - 1] ?? 0;
    if (g <= this.gpv) return this.armTimers();
    const proof = [...this.latestGlobalVC.values()].filter((v) => v.gv >= g).map((v) => v.env);
    this.preinstallGlobal(g, proof);
  }

  private preinstallGlobal(g: number, proof: Uint8Array[]): void {
    this.gpv = g;
    if (g > this.gv) {
      this.gv = g;
      this.globallyConstrained = false;
      this.locallyConstrained = false;
    }
    this.constraints.clear();
    this.lastCGC = null;
    this.collecting = null;
    this.awaitingState = null;
    // Forward the proof: every stable server jumps to the highest proof it sees (§7.1).
    const bundle = encode({ type: 'globalPreinstallProof', vcs: proof });
    this.sendSite(bundle);
    if (this.myId < 2 * this.t.f + 1) for (let s = 0; s < this.t.sites; s++) if (s !== this.site) this.send(serverNode(this.t, s, this.myId), bundle);
    if (this.timersRunning.global) this.port.out.push({ kind: 'cancel-timer', timer: TIMER.global });
    this.timersRunning.global = false;
    if (this.timersRunning.local) this.port.out.push({ kind: 'cancel-timer', timer: TIMER.local });
    this.timersRunning.local = false; // the local timeout depends on gv and on being the leader site
    this.armTimers();
    this.emitView();
    this.forwardPool();
    if (this.amRep && this.inLeaderSite) this.startCollection(SCOPE.global, this.globalAru);
  }

  private onPreinstallProof(m: Msg<'globalPreinstallProof'>): void {
    const vcs: Opened<Msg<'globalVC'>>[] = [];
    try {
      for (const v of m.vcs) vcs.push(openSiteSigned(v) as Opened<Msg<'globalVC'>>);
    } catch (e) {
      if (e instanceof DecodeError) return this.countDrop(e.code);
      throw e;
    }
    const fresh = vcs.filter((v) => v.body.type === 'globalVC' && v.body.site === v.site && v.site < this.t.sites && v.body.gv > (this.latestGlobalVC.get(v.site)?.gv ?? 0));
    if (fresh.length === 0) return;
    for (const v of fresh)
      this.port.verifySite(v.site, v.bodyBytes, v.sig, (ok) => {
        if (ok) this.onGlobalVC(v.site, (v.body as Msg<'globalVC'>).gv, v.raw, false);
      });
  }

  private onReliable(inner: Uint8Array): void {
    let o: Opened<WireMessage>;
    try {
      o = openSiteSigned(inner);
    } catch (e) {
      if (e instanceof DecodeError) return this.countDrop(e.code);
      throw e;
    }
    if (o.site !== this.site) return this.countDrop('reliable-foreign');
    this.port.verifySite(o.site, o.bodyBytes, o.sig, (ok) => {
      if (ok) this.reliable.onReliable(inner);
    });
  }

  // ======================================================================
  // CONSTRUCT-LOCAL-CONSTRAINT, CONSTRUCT-ARU, CONSTRUCT-GLOBAL-CONSTRAINT (Figs 3.17–3.22)
  // ======================================================================

  /** The rep invokes: every server (itself included) reports its entries above invocationAru. */
  private startCollection(scope: number, invocationAru: number): void {
    this.collecting = { scope, gv: this.gv, lv: this.lv, invocationAru, reports: new Map() };
    this.sendLocal({ type: 'requestState', scope, gv: this.gv, lv: this.lv, invocationAru });
    this.onRequestState({ type: 'requestState', scope, gv: this.gv, lv: this.lv, invocationAru });
  }

  private onRequestState(r: Msg<'requestState'>): void {
    if (r.gv !== this.gv || r.lv !== this.lv) return;
    this.awaitingState = { scope: r.scope, gv: r.gv, lv: r.lv, invocationAru: r.invocationAru };
    this.answerState();
  }

  /** Servers behind the invocation seq catch up first (local reconciliation does it). */
  private answerState(): void {
    const a = this.awaitingState;
    if (!a || a.gv !== this.gv || a.lv !== this.lv) return;
    const have = a.scope === SCOPE.local ? Math.max(this.pendingProposalAru, this.globalAru) : this.globalAru;
    if (have < a.invocationAru) {
      this.noteSeq(a.invocationAru);
      return;
    }
    this.awaitingState = null;
    const body: Msg<'serverState'> = { type: 'serverState', scope: a.scope, gv: a.gv, lv: a.lv, invocationAru: a.invocationAru, entries: this.report(a.scope, a.invocationAru) };
    const rep = serverNode(this.t, this.site, repOf(this.t, a.lv));
    if (rep === this.node) {
      const bodyBytes = encode(body);
      this.port.sign(bodyBytes, (sig) => this.onServerState(this.myId, body, encode({ type: 'signed', from: this.node, body: bodyBytes, sig })));
    } else this.sendLocal(body, undefined, rep);
  }

  /** Fig. 3.21 server-state reports. */
  private report(scope: number, from: number): Entry[] {
    const out: Entry[] = [];
    for (let i = from + 1; i <= this.globalAru + this.o.window; i++) {
      const g = this.global.get(i);
      const pc = this.assign.certificates.get(i);
      if (scope === SCOPE.global && g?.gou) out.push({ kind: ENTRY_KIND.gou, seq: i, parts: [g.gou.bytes] });
      else if (g?.proposal) out.push({ kind: ENTRY_KIND.proposal, seq: i, parts: [g.proposal.env] });
      else if (pc) out.push({ kind: ENTRY_KIND.pc, seq: i, parts: pc.parts });
    }
    return out;
  }

  private onServerState(sid: number, s: Msg<'serverState'>, env: Uint8Array): void {
    const c = this.collecting;
    if (!c || s.scope !== c.scope || s.gv !== c.gv || s.lv !== c.lv || s.invocationAru !== c.invocationAru || c.reports.has(sid)) return;
    if (!contiguousAbove(s.invocationAru, s.entries)) return;
    c.reports.set(sid, env);
    if (c.reports.size !== siteThreshold(this.t)) return;
    const reports = [...c.reports].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
    const body: Msg<'collectedState'> = { type: 'collectedState', scope: c.scope, gv: c.gv, lv: c.lv, invocationAru: c.invocationAru, reports };
    const bodyBytes = encode(body);
    this.port.sign(bodyBytes, (sig) => {
      const bundle = encode({ type: 'signed', from: this.node, body: bodyBytes, sig });
      this.sendSite(bundle);
      this.onCollectedState(openSigned(bundle) as Opened<Msg<'collectedState'>>);
    });
  }

  /** Verify a bundle's 2f+1 reports and every entry in them, then apply (Figs 3.18–3.20). */
  private onCollectedState(o: Opened<Msg<'collectedState'>>): void {
    const b = o.body;
    if (b.gv !== this.gv || b.lv !== this.lv) return;
    let reports: Opened<Msg<'serverState'>>[];
    try {
      reports = b.reports.map((r) => openSigned(r) as Opened<Msg<'serverState'>>);
    } catch (e) {
      if (e instanceof DecodeError) return this.countDrop(e.code);
      throw e;
    }
    const ids = new Set<number>();
    for (const r of reports) {
      const s = r.body;
      if (s.type !== 'serverState' || siteOf(this.t, r.from) !== this.site || r.from >= this.t.sites * this.n) return this.countDrop('bad-bundle');
      if (s.scope !== b.scope || s.gv !== b.gv || s.lv !== b.lv || s.invocationAru !== b.invocationAru || !contiguousAbove(s.invocationAru, s.entries)) return this.countDrop('bad-bundle');
      ids.add(r.from);
    }
    if (ids.size < siteThreshold(this.t)) return this.countDrop('bad-bundle');
    const entries = reports.flatMap((r) => r.body.entries);
    const sigChecks = reports.map((r) => (d: (ok: boolean) => void) => this.port.verify(r.from, r.bodyBytes, r.sig, d));
    this.port.all(sigChecks, (ok) => {
      if (!ok) return this.countDrop('bad-bundle');
      this.evidence.verifyEntries(entries, this.site, (verified) => {
        if (!verified) return this.countDrop('bad-bundle-entry');
        this.pendingBundle = o;
        this.applyBundle();
      });
    });
  }

  /** Retry a bundle this server could not apply yet (it had to catch up to invocationAru). */
  private applyBundle(): void {
    const o = this.pendingBundle;
    if (!o) return;
    const b = o.body;
    if (b.gv !== this.gv || b.lv !== this.lv) return void (this.pendingBundle = null);
    const have = b.scope === SCOPE.local ? Math.max(this.pendingProposalAru, this.globalAru) : this.globalAru;
    if (have < b.invocationAru) return this.noteSeq(b.invocationAru);
    this.pendingBundle = null;
    const entries = this.decodedEntries(o);
    if (b.scope === SCOPE.local) return this.applyLocalConstraint(b.invocationAru, entries);
    if (this.inLeaderSite) return this.constructAru(b.invocationAru, entries);
    this.constructGlobalConstraint(b.invocationAru, entries);
  }

  private decodedEntries(o: Opened<Msg<'collectedState'>>): ConstrainingEntry[] {
    return o.body.reports.flatMap((r) => this.evidence.parseEntries((openSigned(r).body as Msg<'serverState'>).entries));
  }

  /** Fig. 3.18 bundle apply (spec §15.8 clearing range). */
  private applyLocalConstraint(invocationAru: number, entries: ConstrainingEntry[]): void {
    const union = computeLocalUnion(entries.filter((e) => e.gv === this.gv));
    const maxHeld = Math.max(this.assign.highestSeq(), ...[...this.global.keys()]);
    for (let s = invocationAru + 1; s <= maxHeld; s++) this.assign.dropOlder(s, this.gv, this.lv);
    for (const e of union) {
      if (e.kind === 'pc') this.assign.adopt({ gv: e.gv, lv: e.lv, seq: e.seq, update: e.update, digest: e.digest, parts: e.parts });
      else if (e.kind === 'proposal') this.storeProposal(e.seq, { site: this.site, gv: e.gv, lv: e.lv, update: e.update, digest: e.digest, env: e.parts[0]! });
    }
    this.locallyConstrained = true;
    this.globalSeq = this.globalAru + 1;
    this.emitView();
    this.tryPropose();
  }

  /** Convert the union's PCs into T-signed Proposals, then sign what the site reports. */
  private signUnion(union: ConstrainingEntry[], done: (entries: Entry[]) => void): void {
    const out: Entry[] = [];
    let left = union.length;
    if (left === 0) return done(out);
    union.forEach((e, i) => {
      const finish = (entry: Entry) => {
        out[i] = entry;
        if (--left === 0) done(out);
      };
      if (e.kind === 'pc') {
        this.siteSign({ type: 'proposal', site: this.site, gv: e.gv, lv: e.lv, seq: e.seq, update: e.update }, (env) => {
          this.storeProposal(e.seq, { site: this.site, gv: e.gv, lv: e.lv, update: e.update, digest: e.digest, env });
          finish({ kind: ENTRY_KIND.proposal, seq: e.seq, parts: [env] });
        });
      } else finish({ kind: e.kind === 'gou' ? ENTRY_KIND.gou : ENTRY_KIND.proposal, seq: e.seq, parts: e.parts });
    });
  }

  /** CONSTRUCT-ARU at the new leader site (Fig. 3.19): own Global_Constraint and the Aru_Message. */
  private constructAru(invocationAru: number, entries: ConstrainingEntry[]): void {
    const gv = this.gv;
    const union = computeGlobalUnion(entries);
    this.signUnion(union, (signed) => {
      if (gv !== this.gv) return;
      this.siteSign({ type: 'globalConstraint', site: this.site, gv, invocationAru, entries: signed }, (gc) => {
        for (const e of union) if (e.kind === 'gou') this.applyEntryGou(e);
        const aru = extractAru(invocationAru, union);
        this.siteSign({ type: 'aruMessage', site: this.site, gv, aru }, (am) => {
          if (gv !== this.gv || !this.amRep) return;
          this.onGlobalConstraint(this.site, gc);
          this.sendToOtherReps(am);
        });
      });
    });
  }

  private applyEntryGou(e: ConstrainingEntry): void {
    if (e.seq <= this.globalAru || this.global.get(e.seq)?.gou) return;
    this.applyGou(e.seq, { gv: e.gv, lv: e.lv, update: e.update, digest: e.digest, bytes: e.parts[0]! });
  }

  /** At a non-leader site (Fig. 3.17): the rep relays the Aru_Message; the site collects state above it. */
  private onAruMessage(a: Msg<'aruMessage'>, bytes: Uint8Array, fromOutside: boolean): void {
    if (fromOutside && this.amRep) this.sendSite(bytes);
    if (this.amRep && this.constraintSent < a.gv) this.startCollection(SCOPE.global, a.aru);
  }

  /** CONSTRUCT-GLOBAL-CONSTRAINT (Fig. 3.20): the rep sends the site's constraint to the leader site's rep. */
  private constructGlobalConstraint(invocationAru: number, entries: ConstrainingEntry[]): void {
    const gv = this.gv;
    const union = computeGlobalUnion(entries);
    this.signUnion(union, (signed) => {
      this.siteSign({ type: 'globalConstraint', site: this.site, gv, invocationAru, entries: signed }, (gc) => {
        if (gv !== this.gv || !this.amRep) return;
        this.constraintSent = gv;
        this.send(this.siteRep(this.leaderSite), gc);
      });
    });
  }

  /** The leader site's rep collects Global_Constraints from a majority of sites (own included). */
  private onGlobalConstraint(site: number, bytes: Uint8Array): void {
    if (!this.inLeaderSite || !this.amRep || this.constraints.has(site) || this.globallyConstrained) return;
    const b = openSiteSigned(bytes).body as Msg<'globalConstraint'>;
    if (b.gv !== this.gv || !contiguousAbove(b.invocationAru, b.entries)) return;
    this.evidence.verifyEntries(b.entries, site, (ok) => {
      if (!ok || b.gv !== this.gv || this.constraints.has(site)) return;
      this.constraints.set(site, bytes);
      if (this.constraints.size !== siteMajority(this.t)) return;
      const body: Msg<'collectedGlobalConstraints'> = { type: 'collectedGlobalConstraints', gv: this.gv, lv: this.lv, constraints: [...this.constraints].sort((x, y) => x[0] - y[0]).map(([, c]) => c) };
      const bodyBytes = encode(body);
      this.port.sign(bodyBytes, (sig) => {
        const cgc = encode({ type: 'signed', from: this.node, body: bodyBytes, sig });
        this.sendSite(cgc);
        this.onCGC(openSigned(cgc) as Opened<Msg<'collectedGlobalConstraints'>>);
      });
    });
  }

  private onCGC(o: Opened<Msg<'collectedGlobalConstraints'>>): void {
    const b = o.body;
    if (b.gv !== this.gv || this.globallyConstrained || !this.inLeaderSite) return;
    const cs = b.constraints.map((c) => openSiteSigned(c));
    const sites = new Set(cs.map((c) => c.site));
    if (sites.size < siteMajority(this.t) || sites.size !== cs.length) return this.countDrop('bad-cgc');
    for (const c of cs) if (c.body.type !== 'globalConstraint' || c.body.gv !== b.gv || c.body.site !== c.site) return this.countDrop('bad-cgc');
    const checks = cs.map((c) => (d: (ok: boolean) => void) => this.port.verifySite(c.site, c.bodyBytes, c.sig, (ok) => (ok ? this.evidence.verifyEntries((c.body as Msg<'globalConstraint'>).entries, c.site, d) : d(false))));
    this.port.all(checks, (ok) => {
      if (!ok) return this.countDrop('bad-cgc');
      this.pendingCGC = o;
      this.applyCGC();
    });
  }

  /** Fig. 3.8 D: adopt the constraint union; then this server is globally constrained. */
  private applyCGC(): void {
    const o = this.pendingCGC;
    if (!o || o.body.gv !== this.gv || this.globallyConstrained) return void (this.pendingCGC = null);
    const cs = o.body.constraints.map((c) => openSiteSigned(c).body as Msg<'globalConstraint'>);
    const need = Math.max(...cs.map((c) => c.invocationAru));
    if (this.globalAru < need) return this.noteSeq(need); // catch up first (Fig. 3.5)
    this.pendingCGC = null;
    const union = computeConstraintUnion(cs.flatMap((c) => this.evidence.parseEntries(c.entries)));
    const maxHeld = Math.max(this.assign.highestSeq(), ...[...this.global.keys()]);
    for (let s = this.globalAru + 1; s <= maxHeld; s++) {
      const g = this.global.get(s);
      if (g?.proposal && g.proposal.gv < this.gv) g.proposal = undefined;
      this.assign.dropOlder(s, this.gv, 0);
    }
    for (const e of union) {
      if (e.kind === 'gou') this.applyEntryGou(e);
      else {
        const g = this.slotOf(e.seq);
        if (!g.proposal && !g.gou) g.proposal = { site: openSiteSigned(e.parts[0]!).site, gv: e.gv, lv: e.lv, update: e.update, digest: e.digest, env: e.parts[0]! };
      }
    }
    this.globallyConstrained = true;
    this.lastCGC = o.raw;
    this.pendingProposalAru = this.globalAru;
    this.globalSeq = this.globalAru + 1; // spec §15.10
    this.emitView();
    // D12: a site that just became leader constrains its local view too (no PC of this gv exists yet
    // at a server that applies the CGC first, but a later local view must still respect them).
    if (this.amRep && !this.locallyConstrained) this.startCollection(SCOPE.local, this.pendingProposalAru);
    this.tryPropose();
  }

  /** Re-check work that waited for this server to catch up. */
  private retryWaiting(): void {
    this.answerState();
    this.applyBundle();
    this.applyCGC();
  }

  // ======================================================================
  // Reconciliation (§3.4.5, Figs 3.24, 3.25) and the rep's re-sends (D9)
  // ======================================================================

  private onReconTimer(): void {
    this.port.out.push({ kind: 'set-timer', timer: TIMER.recon, afterUs: this.o.reconPeriodUs });
    this.resendUnordered();
    // While our site waits for a global view to be preinstalled, its Global_VC may have been lost
    // on the way (RELIABLE-SEND tolerates faulty servers, not lossy links): send it again (D9).
    const ownVC = this.latestGlobalVC.get(this.site);
    if (this.gv > this.gpv && ownVC && ownVC.gv === this.gv) this.reliable.onReliable(ownVC.env);
    this.recon.onPeriod();
  }

  /** Rep-only re-sends of this site's unordered wide-area messages (lossy links: D9). */
  private resendUnordered(): void {
    if (!this.amRep) return;
    for (let s = this.globalAru + 1; s <= Math.min(this.maxSeenSeq, this.globalAru + this.o.window); s++) {
      const g = this.global.get(s);
      if (!g || g.gou) continue;
      if (this.inLeaderSite && g.proposal && g.proposal.gv === this.gv && g.proposal.site === this.site) this.sendToOtherReps(g.proposal.env);
      const own = g.accepts.get(this.site);
      if (!this.inLeaderSite && own) this.sendToOtherReps(own);
    }
  }
}
