// LOCAL-RECONCILIATION and GLOBAL-RECONCILIATION (Steward §3.4.5, Figs 3.24, 3.25): a server
// that lacks GOUs asks its own site first (wide-area bandwidth is scarce), then, with a
// request its site threshold-signs (proof that f+1 correct servers already hold that prefix),
// the server with its id in every other site. Requests are throttled per requester and
// session; when they are sent is decision D9 (src/steward/decisions.md).
import type { NodeId, TimeUs } from '../sim/core.js';
import { encode, type Msg, type WireMessage } from './messages.js';

/** Stalled periods an unanswered update of our own waits before a local request (twice that: global). */
export const RECON_POOL_STALL_PERIODS = 2;
/** Periods between requests when nothing suggests this server is behind; every RECON_IDLE_GLOBAL_EVERY-th also asks other sites. */
export const RECON_IDLE_PERIODS = 8;
export const RECON_IDLE_GLOBAL_EVERY = 4;
/** Longest gap between repeated requests while stalled, in periods. */
export const RECON_BACKOFF_MAX_PERIODS = 32;
/** Remembered GLOBAL_RECON sessions per site member before the set is reset. */
const SIGNED_SESSIONS_PER_SERVER = 64;

export interface ReconciliationContext {
  sites: number;
  mySite: number;
  myId: number;
  serversPerSite: number;
  window: number;
  throttleUs: TimeUs;
  now(): TimeUs;
  globalAru(): number;
  /** A seq above our aru has been seen (a Proposal, Accept, GOU or state request mentioned it). */
  sawHigherSeq(): boolean;
  /** An update of ours is still unexecuted. */
  hasPendingUpdate(): boolean;
  gouBytes(seq: number): Uint8Array | undefined;
  serverNode(site: number, id: number): NodeId;
  send(to: NodeId, bytes: Uint8Array): void;
  /** RSA-signed to every other server of the site. */
  sendLocal(body: WireMessage): void;
  /** Our partial for data another server combines. */
  contribute(data: Uint8Array): void;
  /** THRESHOLD-SIGN as this site; `done` gets the siteSigned envelope. */
  siteSign(body: WireMessage, done: (env: Uint8Array) => void): void;
}

export class Reconciliation {
  private session = 0;
  private aruAtLastPeriod = -1;
  private stalledPeriods = 0;
  private quietPeriods = 0;
  private readonly lastServed = new Map<string, TimeUs>();
  private readonly sessions = new Map<string, number>();
  private signed = new Set<string>();

  constructor(private readonly ctx: ReconciliationContext) {}

  /** Once per reconciliation period. */
  onPeriod(): void {
    const c = this.ctx;
    const aru = c.globalAru();
    const behind = c.sawHigherSeq() || c.hasPendingUpdate();
    if (!behind || aru !== this.aruAtLastPeriod) {
      this.aruAtLastPeriod = aru;
      this.stalledPeriods = 0;
      // Without any evidence a server may still have missed the last GOUs (nothing follows them).
      if (++this.quietPeriods % RECON_IDLE_PERIODS !== 0) return;
      return this.request(true, this.quietPeriods % (RECON_IDLE_PERIODS * RECON_IDLE_GLOBAL_EVERY) === 0);
    }
    // A whole period without progress. Repeats back off (periods 1, 2, 4, 8, … then every
    // RECON_BACKOFF_MAX_PERIODS): a cut-off site must not spend its CPU signing requests nobody can answer.
    const k = ++this.stalledPeriods;
    const due = (from: number) => k >= from && ((k & (k - 1)) === 0 || k % RECON_BACKOFF_MAX_PERIODS === 0);
    const evidence = c.sawHigherSeq();
    this.request(due(evidence ? 1 : RECON_POOL_STALL_PERIODS), due(evidence ? 2 : 2 * RECON_POOL_STALL_PERIODS));
  }

  private request(local: boolean, global: boolean): void {
    if (!local && !global) return;
    const aru = this.ctx.globalAru();
    this.session++;
    if (local) this.ctx.sendLocal({ type: 'localReconRequest', session: this.session, aru });
    if (global) {
      const req: Msg<'globalReconRequest'> = { type: 'globalReconRequest', session: this.session, aru };
      this.ctx.sendLocal(req);
      this.onGlobalRequest(this.ctx.myId, req);
    }
  }

  /** Throttle per requester: one answer per session and per throttle interval (§15.15: `<`). */
  private throttled(key: string, session: number): boolean {
    if ((this.sessions.get(key) ?? -1) >= session) return true;
    const last = this.lastServed.get(key);
    const now = this.ctx.now();
    if (last !== undefined && now - last < this.ctx.throttleUs) return true;
    this.sessions.set(key, session);
    this.lastServed.set(key, now);
    return false;
  }

  /** GOUs (from, min(aru, from+W)] to `to`. */
  private sendGous(to: NodeId, from: number): void {
    const upTo = Math.min(this.ctx.globalAru(), from + this.ctx.window);
    for (let s = from + 1; s <= upTo; s++) {
      const g = this.ctx.gouBytes(s);
      if (g) this.ctx.send(to, g);
    }
  }

  /** Local_Recon_Request from server `sid` of this site. */
  onLocalRequest(sid: number, r: Msg<'localReconRequest'>): void {
    if (this.ctx.globalAru() <= r.aru || this.throttled(`l${sid}`, r.session)) return;
    this.sendGous(this.ctx.serverNode(this.ctx.mySite, sid), r.aru);
  }

  /** Global_Recon_Request from server `sid` (or ourselves): certify it if we hold that prefix too. */
  onGlobalRequest(sid: number, r: Msg<'globalReconRequest'>): void {
    const c = this.ctx;
    if (c.globalAru() < r.aru) return;
    const key = `${sid}:${r.session}`;
    if (this.signed.has(key)) return;
    if (this.signed.size > c.serversPerSite * SIGNED_SESSIONS_PER_SERVER) this.signed = new Set();
    this.signed.add(key);
    const body: WireMessage = { type: 'globalRecon', site: c.mySite, server: sid, session: r.session, aru: r.aru };
    if (sid !== c.myId) return c.contribute(encode(body));
    c.siteSign(body, (gr) => {
      for (let s = 0; s < c.sites; s++) if (s !== c.mySite) c.send(c.serverNode(s, c.myId), gr);
    });
  }

  /** A T-signed GLOBAL_RECON at the peer with the same id in another site: serve what it asks. */
  onGlobalRecon(site: number, gr: Msg<'globalRecon'>, via: NodeId): void {
    const c = this.ctx;
    if (site === c.mySite || gr.server !== c.myId || via !== c.serverNode(site, gr.server)) return;
    if (c.globalAru() <= gr.aru || this.throttled(`g${site}`, gr.session)) return;
    this.sendGous(via, gr.aru);
  }
}
