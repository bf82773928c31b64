// LOCAL-VIEW-CHANGE (Steward §3.4.3, Fig. 3.14): when Local_T expires the servers of a site
// move to the next local view and THRESHOLD-SIGN a New_Rep; a New_Rep preinstalls that view
// (Fig. 3.7 E; view = max(view, preinstalled), spec §15.6) and is sent to the other sites by
// RELIABLE-SEND. In the leader site the new rep then runs CONSTRUCT-LOCAL-CONSTRAINT
// (Fig. 3.18), whose bundle every server applies here.
import type { AssignGlobalOrder } from './assign-global-order.js';
import type { GlobalHistory } from './global-history.js';
import { SCOPE } from './messages.js';
import type { ServerContext } from './server-context.js';
import type { StateCollection } from './state-collection.js';
import { computeLocalUnion, type ConstrainingEntry } from './unions.js';
import type { UpdatePool } from './update-pool.js';
import type { ViewTimers } from './view-timers.js';

export class LocalViewChange {
  constructor(
    private readonly ctx: ServerContext,
    private readonly parts: { timers: ViewTimers; pool: UpdatePool; collection: StateCollection; history: GlobalHistory; order: AssignGlobalOrder },
  ) {}

  /** Fig. 3.14: Local_T expired; move to lv+1 with the timer stopped, sign New_Rep(lv+1). */
  onLocalTimeout(): void {
    const { site, state: s } = this.ctx;
    this.parts.timers.expired('local');
    if (s.pool.size === 0) return;
    s.lv++;
    s.locallyConstrained = false;
    this.ctx.emitView();
    const lv = s.lv;
    this.ctx.siteSign({ type: 'newRep', site, lv }, (env) => this.onNewRep(site, lv, env, false));
  }

  /** Fig. 3.7 E (and spec §15.6: view = max(view, preinstalled)). */
  onNewRep(site: number, lv: number, env: Uint8Array, fromOutside: boolean): void {
    const { state: s } = this.ctx;
    const { timers, pool, collection } = this.parts;
    const old = s.latestNewRep.get(site);
    if (old && old.lv >= lv) return;
    s.latestNewRep.set(site, { lv, env });
    if (fromOutside) this.ctx.sendSite(env);
    if (site === this.ctx.leaderSite && site !== this.ctx.site) pool.forward();
    if (site !== this.ctx.site || lv <= s.lpv) return;
    s.lpv = lv;
    if (lv > s.lv) {
      s.lv = lv;
      s.locallyConstrained = false;
    }
    this.ctx.sendSite(env);
    this.ctx.reliable.invoke(env);
    timers.stop('local');
    timers.arm();
    this.ctx.emitView();
    pool.forward(true);
    if (this.ctx.amRep && this.ctx.inLeaderSite) {
      collection.start(SCOPE.local, s.pendingProposalAru);
      if (!s.globallyConstrained) collection.start(SCOPE.global, s.globalAru);
      else if (s.lastCGC) this.ctx.sendSite(s.lastCGC);
    }
  }

  /** CONSTRUCT-LOCAL-CONSTRAINT's bundle applied (Fig. 3.18; spec §15.8 clearing range). */
  applyLocalConstraint(invocationAru: number, entries: ConstrainingEntry[]): void {
    const { state: s, assign } = this.ctx;
    const union = computeLocalUnion(entries.filter((e) => e.gv === s.gv));
    const maxHeld = this.ctx.highestHeldSeq();
    for (let seq = invocationAru + 1; seq <= maxHeld; seq++) assign.dropOlder(seq, s.gv, s.lv);
    for (const e of union) {
      if (e.kind === 'pc') assign.adopt({ gv: e.gv, lv: e.lv, seq: e.seq, update: e.update, digest: e.digest, parts: e.parts });
      else if (e.kind === 'proposal') this.parts.history.storeProposal(e.seq, { site: this.ctx.site, gv: e.gv, lv: e.lv, update: e.update, digest: e.digest, env: e.parts[0]! });
    }
    s.locallyConstrained = true;
    s.globalSeq = s.globalAru + 1;
    this.ctx.emitView();
    this.parts.order.tryPropose();
  }
}
