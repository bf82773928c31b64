// GLOBAL-LEADER-ELECTION (Steward §3.4.3, Fig. 3.15): when Global_T expires a site moves to
// the next global view and THRESHOLD-SIGNs a Global_VC, sent to every site by RELIABLE-SEND;
// a majority of sites at ≥ g preinstalls g (spec §15.6, D16), whose proof is forwarded, and
// the new leader site's rep starts GLOBAL-VIEW-CHANGE (global-view-change.ts).
import { encode, SCOPE } from './messages.js';
import type { ServerContext } from './server-context.js';
import type { StateCollection } from './state-collection.js';
import { serverNode, siteMajority } from './topology.js';
import type { UpdatePool } from './update-pool.js';
import type { ViewTimers } from './view-timers.js';

export class GlobalLeaderElection {
  constructor(
    private readonly ctx: ServerContext,
    private readonly parts: { timers: ViewTimers; pool: UpdatePool; collection: StateCollection },
  ) {}

  /** Fig. 3.15: Global_T expired; move to gv+1 with the timer stopped, sign Global_VC(gv+1). */
  onGlobalTimeout(): void {
    const { site, state: s } = this.ctx;
    const { timers } = this.parts;
    timers.expired('global');
    if (!timers.wantsGlobalProgress()) return;
    s.gv++;
    s.globallyConstrained = false;
    s.locallyConstrained = false;
    this.ctx.emitView();
    const gv = s.gv;
    this.ctx.siteSign({ type: 'globalVC', site, gv }, (env) => {
      this.onGlobalVC(site, gv, env, false);
      this.ctx.reliable.invoke(env);
    });
  }

  onGlobalVC(site: number, gv: number, env: Uint8Array, fromOutside: boolean): void {
    const { state: s } = this.ctx;
    const old = s.latestGlobalVC.get(site);
    if (old && old.gv >= gv) return;
    s.latestGlobalVC.set(site, { gv, env });
    if (fromOutside) this.ctx.sendSite(env);
    // Global_preinstalled_view: the largest g with a majority of sites at ≥ g.
    const views = [...s.latestGlobalVC.values()].map((v) => v.gv).sort((a, b) => b - a);
    const g = views[siteMajority(this.ctx.t) - 1] ?? 0;
    if (g <= s.gpv) return this.parts.timers.arm();
    const proof = [...s.latestGlobalVC.values()].filter((v) => v.gv >= g).map((v) => v.env);
    this.preinstall(g, proof);
  }

  private preinstall(g: number, proof: Uint8Array[]): void {
    const { t, site, myId, state: s } = this.ctx;
    const { timers, pool, collection } = this.parts;
    s.gpv = g;
    if (g > s.gv) {
      s.gv = g;
      s.globallyConstrained = false;
      s.locallyConstrained = false;
    }
    s.constraints.clear();
    s.lastCGC = null;
    s.collecting = null;
    s.awaitingState = null;
    // Forward the proof: every stable server jumps to the highest proof it sees (§7.1).
    const bundle = encode({ type: 'globalPreinstallProof', vcs: proof });
    this.ctx.sendSite(bundle);
    if (myId < 2 * t.f + 1) for (let other = 0; other < t.sites; other++) if (other !== site) this.ctx.send(serverNode(t, other, myId), bundle);
    timers.stop('global');
    timers.stop('local'); // the local timeout depends on gv and on being the leader site
    timers.arm();
    this.ctx.emitView();
    pool.forward();
    if (this.ctx.amRep && this.ctx.inLeaderSite) collection.start(SCOPE.global, s.globalAru);
  }

  /**
   * While our site waits for a global view to be preinstalled, its Global_VC may have been lost
   * on the way (RELIABLE-SEND tolerates faulty servers, not lossy links): send it again (D9).
   */
  resendOwnGlobalVC(): void {
    const { site, state: s } = this.ctx;
    const ownVC = s.latestGlobalVC.get(site);
    if (s.gv > s.gpv && ownVC && ownVC.gv === s.gv) this.ctx.reliable.onReliable(ownVC.env);
  }
}
