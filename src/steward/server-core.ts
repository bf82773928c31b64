// A Steward server as a sans-IO core (src/sim/core.ts; Steward Ch. 3): the coordinator that
// owns the shared state (server-context.ts, server-state.ts: Fig. 3.3) and routes events to
// the parts, each a protocol of the paper in its own file:
//   inbound-pipeline.ts        decode, cheap conflict checks, signature checks (§5, Figs 3.4–3.6)
//   update-pool.ts             client updates in (Fig. 3.7 F, D4, D10)
//   assign-global-order.ts     ASSIGN-GLOBAL-ORDER, Get-Next-To-Propose (Figs 3.12, 3.13)
//   global-history.ts          Proposal / Accept / GOU apply, Globally-Ordered-Ready (Figs 3.8, 3.9)
//   execution.ts               in-order execution, client replies, read-only queries
//   view-timers.ts             Local_T and Global_T (Fig. 3.16, D6)
//   local-view-change.ts       LOCAL-VIEW-CHANGE, CONSTRUCT-LOCAL-CONSTRAINT apply (Figs 3.14, 3.18)
//   global-leader-election.ts  GLOBAL-LEADER-ELECTION (Fig. 3.15)
//   state-collection.ts        Server_State reports and bundles (Figs 3.17–3.21)
//   global-view-change.ts      GLOBAL-VIEW-CHANGE, CONSTRUCT-ARU, CONSTRUCT-GLOBAL-CONSTRAINT (Figs 3.17, 3.19, 3.20)
// The reusable intra-site protocols live in assign-sequence.ts, threshold-sign.ts,
// reliable-send.ts, reconciliation.ts, unions.ts, timeouts.ts; decisions.md says how each
// [decide] of spec §15 was settled (D1…).
import type { Core, CoreEffect, CoreEvent, NodeId, TimeUs } from '../sim/core.js';
import { AssignGlobalOrder } from './assign-global-order.js';
import type { Opened } from './envelopes.js';
import { Execution } from './execution.js';
import { GlobalHistory } from './global-history.js';
import { GlobalLeaderElection } from './global-leader-election.js';
import { GlobalViewChange } from './global-view-change.js';
import { InboundPipeline } from './inbound-pipeline.js';
import { LocalViewChange } from './local-view-change.js';
import { SCOPE, type Msg, type WireMessage } from './messages.js';
import { ServerContext, TIMER, type StewardServerOptions } from './server-context.js';
import type { ServerState } from './server-state.js';
import { StateCollection } from './state-collection.js';
import { isClient, siteOf } from './topology.js';
import type { ConstrainingEntry } from './unions.js';
import { UpdatePool } from './update-pool.js';
import { ViewTimers } from './view-timers.js';

export type { StewardServerOptions } from './server-context.js';

export class StewardServer implements Core {
  private readonly ctx: ServerContext;
  private readonly inbound: InboundPipeline;
  private readonly timers: ViewTimers;
  private readonly execution: Execution;
  private readonly history: GlobalHistory;
  private readonly order: AssignGlobalOrder;
  private readonly pool: UpdatePool;
  private readonly collection: StateCollection;
  private readonly localVC: LocalViewChange;
  private readonly election: GlobalLeaderElection;
  private readonly globalVC: GlobalViewChange;

  constructor(readonly o: StewardServerOptions) {
    const ctx = (this.ctx = new ServerContext(o, {
      mayPrepare: (seq, digest, gv, lv) => this.order.mayPrepare(seq, digest, gv, lv),
      onCertificate: (pc) => this.order.onCertificate(pc),
    }));
    this.timers = new ViewTimers(ctx);
    this.execution = new Execution(ctx);
    this.history = new GlobalHistory(ctx, this.execution, () => this.onProgress());
    this.order = new AssignGlobalOrder(ctx, this.history);
    this.pool = new UpdatePool(ctx, this.timers, this.order);
    this.collection = new StateCollection(ctx, (scope, invocationAru, entries) => this.onBundle(scope, invocationAru, entries));
    const { timers, pool, collection, history, order } = this;
    this.localVC = new LocalViewChange(ctx, { timers, pool, collection, history, order });
    this.election = new GlobalLeaderElection(ctx, { timers, pool, collection });
    this.globalVC = new GlobalViewChange(ctx, { collection, history, order });
    this.inbound = new InboundPipeline(ctx, {
      clientUpdate: (via, u) => this.pool.onClientUpdate(via, u),
      query: (q) => this.execution.onQuery(q),
      signed: (sid, m, bytes) => this.applySigned(sid, m, bytes),
      siteSigned: (via, site, body, bytes) => this.applySiteSigned(via, site, body, bytes),
      gou: (bytes) => this.history.onBareGou(bytes),
      globalVC: (site, gv, env) => this.election.onGlobalVC(site, gv, env, false),
    });
  }

  /** The server's Fig. 3.3 state (read it; the parts write it). */
  get state(): Readonly<ServerState> {
    return this.ctx.state;
  }

  /** Decode errors and rejected messages by code: counted and dropped (DESIGN principle 5). */
  get dropped(): ReadonlyMap<string, number> {
    return this.ctx.dropped;
  }

  handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[] {
    this.ctx.now = nowUs;
    switch (event.kind) {
      case 'start':
        this.ctx.setTimer(TIMER.recon, this.o.reconPeriodUs);
        this.ctx.emitView();
        break;
      case 'receive':
        this.inbound.receive(event.from, event.bytes);
        break;
      case 'crypto':
        this.ctx.port.answer(event.job, event.ok, event.bytes);
        break;
      case 'timer':
        this.onTimer(event.timer);
        break;
      default:
        break;
    }
    return this.ctx.port.drain();
  }

  private onTimer(name: string): void {
    if (name === TIMER.recon) {
      // Reconciliation (§3.4.5, Figs 3.24, 3.25) and the rep's re-sends over lossy links (D9).
      this.ctx.setTimer(TIMER.recon, this.o.reconPeriodUs);
      this.order.resendUnordered();
      this.election.resendOwnGlobalVC();
      this.ctx.recon.onPeriod();
    } else if (name === TIMER.local) this.localVC.onLocalTimeout();
    else if (name === TIMER.global) this.election.onGlobalTimeout();
  }

  /** Apply a verified RSA-signed message of server `sid` of this site. */
  private applySigned(sid: number, o: Opened<WireMessage>, bytes: Uint8Array): void {
    const b = o.body;
    const { assign, tsign, recon } = this.ctx;
    switch (b.type) {
      case 'prePrepare':
        return this.order.onPrePrepare(sid, b, bytes);
      case 'prepare':
        return assign.onPrepare(sid, b.gv, b.lv, b.seq, b.digest, bytes);
      case 'partialSig':
        return tsign.onPartial(sid, b.data, b.partial);
      case 'corruptedServer':
        return tsign.onAccusation(b.accused, b.data, b.partial);
      case 'requestState':
        return this.collection.onRequestState(b);
      case 'serverState':
        return this.collection.onServerState(sid, b, bytes);
      case 'collectedState':
        return this.collection.onCollectedState(o as Opened<Msg<'collectedState'>>);
      case 'collectedGlobalConstraints':
        return this.globalVC.onCGC(o as Opened<Msg<'collectedGlobalConstraints'>>);
      case 'reliable':
        return this.inbound.onReliable(b.inner);
      case 'localReconRequest':
        return recon.onLocalRequest(sid, b);
      case 'globalReconRequest':
        return recon.onGlobalRequest(sid, b);
      default:
        return this.ctx.countDrop('unexpected-signed');
    }
  }

  /** Apply a verified message threshold-signed by `site`; relays go inside the site when it came from outside. */
  private applySiteSigned(via: NodeId, site: number, b: WireMessage, bytes: Uint8Array): void {
    const { t } = this.ctx;
    const fromOutside = siteOf(t, via) !== this.ctx.site || isClient(t, via);
    switch (b.type) {
      case 'proposal':
        return this.order.onProposal(b, bytes, fromOutside);
      case 'accept':
        return this.history.onAccept(site, b, bytes, fromOutside);
      case 'newRep':
        return this.localVC.onNewRep(site, b.lv, bytes, fromOutside);
      case 'globalVC':
        return this.election.onGlobalVC(site, b.gv, bytes, fromOutside);
      case 'aruMessage':
        return this.globalVC.onAruMessage(b, bytes, fromOutside);
      case 'globalConstraint':
        return this.globalVC.onGlobalConstraint(site, bytes);
      case 'globalRecon':
        return this.ctx.recon.onGlobalRecon(site, b, via);
      default:
        return this.ctx.countDrop('unexpected-site-signed');
    }
  }

  /** A verified state bundle, caught up for: what it constructs depends on scope and site. */
  private onBundle(scope: number, invocationAru: number, entries: ConstrainingEntry[]): void {
    if (scope === SCOPE.local) return this.localVC.applyLocalConstraint(invocationAru, entries);
    if (this.ctx.inLeaderSite) return this.globalVC.constructAru(invocationAru, entries);
    this.globalVC.constructGlobalConstraint(invocationAru, entries);
  }

  /** Global_aru advanced: timers reset (Fig. 3.8 C step 3), waiting work retried, more proposed. */
  private onProgress(): void {
    if (this.ctx.inLeaderSite) this.ctx.state.recomputePendingProposalAru();
    this.timers.restart();
    // Re-check work that waited for this server to catch up.
    this.collection.answerState();
    this.collection.applyBundle();
    this.globalVC.applyCGC();
    this.order.tryPropose();
  }
}
