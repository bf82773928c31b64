// What every part of a Steward server shares (Steward Ch. 3): its identity and roles, the
// state of Fig. 3.3 (server-state.ts), the reusable intra-site protocols (ASSIGN-SEQUENCE,
// THRESHOLD-SIGN, RELIABLE-SEND, reconciliation, evidence checks), the crypto port, and the
// ways of sending: to one node, to the site, RSA-signed (R) or threshold-signed as the site (T).
import type { StateMachine } from '../service/state-machine.js';
import type { NodeId, TimeUs } from '../sim/core.js';
import { payloadDigest } from '../sim/trace.js';
import { AssignSequence, type PrepareCertificate } from './assign-sequence.js';
import { CryptoPort, hex } from './crypto-port.js';
import { Evidence } from './entries.js';
import { encode, type WireMessage } from './messages.js';
import { OUT } from './outputs.js';
import { Reconciliation } from './reconciliation.js';
import { ReliableSend } from './reliable-send.js';
import { ServerState } from './server-state.js';
import { ThresholdSign } from './threshold-sign.js';
import { leaderSiteOf, repOf, serverIdOf, serverNode, serversPerSite, siteOf, siteThreshold, type StewardTopology } from './topology.js';

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
  /** The replicated service this server executes (§3.1); default the KV store. Called once per incarnation. */
  app?: () => StateMachine;
  /**
   * A deliberately broken variant for the checker test (never in production): the leader
   * site's rep assigns each update twice, at consecutive seqs, skipping the binding check.
   */
  brokenDoubleAssign?: boolean;
}

export const TIMER = { local: 'local-t', global: 'global-t', recon: 'recon' } as const;

/** ASSIGN-SEQUENCE's questions and results, answered by ASSIGN-GLOBAL-ORDER (assign-global-order.ts). */
export interface AssignSequenceHooks {
  mayPrepare(seq: number, digest: Uint8Array, gv: number, lv: number): boolean;
  onCertificate(pc: PrepareCertificate): void;
}

export class ServerContext {
  readonly t: StewardTopology;
  readonly node: NodeId;
  readonly site: number;
  readonly myId: number;
  readonly n: number;
  readonly port = new CryptoPort();
  readonly corrupted = new Set<number>();
  /** Decode errors and rejected messages by code: counted and dropped (DESIGN principle 5). */
  readonly dropped = new Map<string, number>();
  now: TimeUs = 0;
  readonly state: ServerState;
  readonly assign: AssignSequence;
  readonly tsign: ThresholdSign;
  readonly evidence: Evidence;
  readonly recon: Reconciliation;
  readonly reliable: ReliableSend;

  constructor(readonly o: StewardServerOptions, hooks: AssignSequenceHooks) {
    this.t = o.topology;
    this.node = o.node;
    this.site = siteOf(this.t, o.node);
    this.myId = serverIdOf(this.t, o.node);
    this.n = serversPerSite(this.t);
    const s = (this.state = new ServerState(o.window, this.n));
    this.assign = new AssignSequence({
      f: this.t.f,
      myId: this.myId,
      repOf: (lv) => repOf(this.t, lv),
      mayPrepare: (seq, digest, gv, lv) => hooks.mayPrepare(seq, digest, gv, lv),
      sendPrepare: (gv, lv, seq, digest, stored) => {
        this.emit(OUT.prepare, { gv, lv, seq, digest: hex(digest), constrained: s.globallyConstrained && s.locallyConstrained });
        this.sendLocal({ type: 'prepare', gv, lv, seq, digest }, stored);
      },
      onCertificate: (pc) => hooks.onCertificate(pc),
      onCertificateHeld: (seq, held) => this.emit(OUT.pcHeld, { seq, held }),
    });
    this.tsign = new ThresholdSign({
      port: this.port,
      myId: this.myId,
      threshold: siteThreshold(this.t),
      sendLocalAll: (body) => this.sendLocal(body),
      corrupted: this.corrupted,
      onBlacklist: (server) => this.emit(OUT.blacklist, { server }),
      onCombined: (data) => this.emit(OUT.siteSigned, { data: payloadDigest(data), size: data.length }),
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
      globalAru: () => s.globalAru,
      sawHigherSeq: () => s.maxSeenSeq > s.globalAru,
      hasPendingUpdate: () => s.pool.size > 0,
      gouBytes: (seq) => s.global.get(seq)?.gou?.bytes,
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
      sendLocalAllReliable: (inner) => {
        this.emit(OUT.reliableSent, { message: payloadDigest(inner), size: inner.length });
        this.sendLocal({ type: 'reliable', inner });
      },
      sendToServer: (site, id, bytes) => this.send(serverNode(this.t, site, id), bytes),
    });
  }

  // ---- roles ----

  get amRep(): boolean {
    return this.myId === repOf(this.t, this.state.lv);
  }
  get leaderSite(): number {
    return leaderSiteOf(this.t, this.state.gv);
  }
  get inLeaderSite(): boolean {
    return this.site === this.leaderSite;
  }

  /** The rep of `site` as far as this server knows (its latest New_Rep). */
  siteRep(site: number): NodeId {
    return serverNode(this.t, site, repOf(this.t, this.state.latestNewRep.get(site)?.lv ?? (site === this.site ? this.state.lv : 0)));
  }

  // ---- Fig. 3.9 predicates ----

  /** Is-Contiguous (Fig. 3.9, spec §15.5: index [i]). */
  isContiguous(seq: number): boolean {
    for (let i = this.state.globalAru + 1; i < seq; i++) if (!this.hasEntry(i)) return false;
    return true;
  }

  /** The highest seq this server holds anything for, in either history (clearing ranges, spec §15.8). */
  highestHeldSeq(): number {
    return Math.max(this.assign.highestSeq(), ...[...this.state.global.keys()]);
  }

  private hasEntry(seq: number): boolean {
    const g = this.state.global.get(seq);
    return !!(g?.gou || g?.proposal || this.assign.certificates.has(seq));
  }

  // ---- sending ----

  send(to: NodeId, bytes: Uint8Array): void {
    if (to !== this.node) this.port.out.push({ kind: 'send', to, bytes });
  }

  sendSite(bytes: Uint8Array): void {
    for (let i = 0; i < this.n; i++) if (i !== this.myId) this.send(serverNode(this.t, this.site, i), bytes);
  }

  /** RSA-sign `body` and send it to every other server of the site (or to `to` only). */
  sendLocal(body: WireMessage, stored?: (env: Uint8Array) => void, to?: NodeId): void {
    this.sign(body, (env) => {
      if (to !== undefined) this.send(to, env);
      else this.sendSite(env);
      stored?.(env);
    });
  }

  /** RSA-sign `body`; `done` gets the signed envelope. */
  sign(body: WireMessage, done: (env: Uint8Array) => void): void {
    const bodyBytes = encode(body);
    this.port.sign(bodyBytes, (sig) => done(encode({ type: 'signed', from: this.node, body: bodyBytes, sig })));
  }

  sendToOtherReps(bytes: Uint8Array): void {
    for (let s = 0; s < this.t.sites; s++) if (s !== this.site) this.send(this.siteRep(s), bytes);
  }

  /** THRESHOLD-SIGN `body` as this site; `done` gets the siteSigned envelope. */
  siteSign(body: WireMessage, done: (env: Uint8Array) => void): void {
    const data = encode(body);
    this.tsign.sign(data, (sig) => {
      this.tsign.forget(data);
      done(encode({ type: 'siteSigned', site: this.site, body: data, sig }));
    });
  }

  setTimer(timer: string, afterUs: TimeUs): void {
    this.port.out.push({ kind: 'set-timer', timer, afterUs });
  }

  cancelTimer(timer: string): void {
    this.port.out.push({ kind: 'cancel-timer', timer });
  }

  emit(name: string, data: Record<string, number | string | boolean>): void {
    this.port.out.push({ kind: 'output', name, data });
  }

  emitView(): void {
    const s = this.state;
    this.emit(OUT.view, { gv: s.gv, gpv: s.gpv, lv: s.lv, lpv: s.lpv, local: s.timersRunning.local, global: s.timersRunning.global, rep: repOf(this.t, s.lv), leaderSite: this.leaderSite });
  }

  countDrop(code: string): void {
    this.dropped.set(code, (this.dropped.get(code) ?? 0) + 1);
  }
}
