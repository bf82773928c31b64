// Local_T and Global_T (Steward §3.4.4, Figs 3.14–3.16): when they run (D6), how long
// (timeouts.ts, by global view and by whether this is the leader site), and their reset on
// progress. Their expiries start LOCAL-VIEW-CHANGE (local-view-change.ts) and
// GLOBAL-LEADER-ELECTION (global-leader-election.ts).
import type { ServerContext } from './server-context.js';
import { TIMER } from './server-context.js';
import { timeoutsFor } from './timeouts.js';

type Which = 'local' | 'global';

export class ViewTimers {
  constructor(private readonly ctx: ServerContext) {}

  private plan() {
    return timeoutsFor(this.ctx.o.kUs, this.ctx.state.gv, this.ctx.t.sites, this.ctx.t.f);
  }

  private localTimeoutUs(): number {
    const p = this.plan();
    return this.ctx.inLeaderSite ? p.leaderLocalUs : p.nonLeaderLocalUs;
  }

  /**
   * D6: a server suspects its leaders only while it holds an update it has not executed, or
   * (global timer only) while another site has asked for a newer global view: that site holds
   * such an update and cannot make progress in ours.
   */
  wantsGlobalProgress(): boolean {
    const s = this.ctx.state;
    if (s.pool.size > 0) return true;
    for (const v of s.latestGlobalVC.values()) if (v.gv > s.gv) return true;
    return false;
  }

  /** Start the timers that should run and do not (I9: only in a preinstalled view). */
  arm(): void {
    const s = this.ctx.state;
    if (!s.timersRunning.global && s.gpv === s.gv && this.wantsGlobalProgress()) {
      s.timersRunning.global = true;
      this.ctx.setTimer(TIMER.global, this.plan().globalUs);
    }
    if (s.pool.size === 0) return;
    if (!s.timersRunning.local && s.lpv === s.lv) {
      s.timersRunning.local = true;
      this.ctx.setTimer(TIMER.local, this.localTimeoutUs());
    }
  }

  stop(which: Which): void {
    const running = this.ctx.state.timersRunning;
    if (running[which]) this.ctx.cancelTimer(TIMER[which]);
    running[which] = false;
  }

  /** Fig. 3.8 C step 3: progress resets both timers (only those that run: spec §15.16). */
  restart(): void {
    this.stop('local');
    this.stop('global');
    this.arm();
  }

  /** A timer fired: it no longer runs. */
  expired(which: Which): void {
    this.ctx.state.timersRunning[which] = false;
  }
}
