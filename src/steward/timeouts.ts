// Steward's timeouts (§3.4.4, Fig. 3.16, Claim 3.6.9; spec §8). All depend only on gv, so all
// servers in one global view agree. GLOBAL_TIMEOUT doubles every S global views; the leader
// site's local timer is a (f+3)th of it and a non-leader site's a further (f+2)th, so that
// f+1 non-leader reps serve full terms per leader-site rep (one is correct) and f+2
// leader-site reps per global view (two are stable).
import type { TimeUs } from '../sim/core.js';

export interface TimeoutPlan {
  globalUs: TimeUs;
  leaderLocalUs: TimeUs;
  nonLeaderLocalUs: TimeUs;
}

/** K·2^ceil(gv/S) and its two divisions (I15 holds exactly: integer K·2^x divided, then multiplied back, in checks). */
export function timeoutsFor(kUs: TimeUs, gv: number, sites: number, f: number): TimeoutPlan {
  const globalUs = kUs * 2 ** Math.ceil(gv / sites);
  const leaderLocalUs = globalUs / (f + 3);
  return { globalUs, leaderLocalUs, nonLeaderLocalUs: leaderLocalUs / (f + 2) };
}

/**
 * The minimum global timeout K (spec §15.1 [decide], decisions.md D1): the non-leader local
 * timeout must outlast one update's wide-area round trips under load (two WAN round trips
 * plus queueing), so K = (f+2)(f+3) · max(LOCAL_TIMEOUT_MIN_RTTS · one-way delay, LOCAL_TIMEOUT_FLOOR_US).
 */
export const LOCAL_TIMEOUT_MIN_RTTS = 10;
/** Floor for LAN-like runs: threshold signing takes milliseconds per round. */
export const LOCAL_TIMEOUT_FLOOR_US = 200_000;

export function defaultK(wanOneWayUs: TimeUs, f: number): TimeUs {
  return (f + 2) * (f + 3) * Math.max(LOCAL_TIMEOUT_MIN_RTTS * wanOneWayUs, LOCAL_TIMEOUT_FLOOR_US);
}
