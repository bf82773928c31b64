// Every timeout of a composable server, derived from the wide-area one-way delay (spec §15.1
// leaves them open; decisions D8–D10). Each is named with its unit; each default says why.
import type { TimeUs } from '../sim/core.js';
import type { MachineTimings } from './lm-machine.js';

export interface ComposableTimings {
  /** How often a server looks at its timers (all of them are checked on this tick). */
  tickUs: TimeUs;
  /** A local leader that leaves a next-in-line event unordered this long is replaced (§4.4.1 fairness). */
  localSuspectUs: TimeUs;
  /** A server hands a waiting event to the leader itself after this long (it may not have it). */
  fairForwardUs: TimeUs;
  /** Undecided local instances are re-sent after this long (members that missed them while changing views). */
  localRetransmitUs: TimeUs;
  /** A server that knows of instances beyond its prefix asks for them after this long. */
  catchUpUs: TimeUs;
  /** A forwarder re-sends unacknowledged frames this often (lossy wide-area links). */
  linkRetransmitUs: TimeUs;
  /** Peer walking: a forwarder's hello period, and how long its LM waits before replacing it. */
  helloPeriodUs: TimeUs;
  helloTimeoutUs: TimeUs;
  /** CLink-Opt: an update forwarded to the leader LM unordered falls back to CLink-Order after this. */
  clinkOptUs: TimeUs;
  /** A client re-sends to f+1 servers with the retransmit flag after this (§4.5). */
  clientRetryUs: TimeUs;
  machine: MachineTimings;
}

/** The tick: fine enough for millisecond timers, coarse enough to cost little (5 ms). */
export const TICK_US = 5_000;
/** Local ordering takes a few LAN rounds plus signing; under load, tens of ms (floor: 150 ms). */
export const LOCAL_SUSPECT_FLOOR_US = 150_000;
/** ACKs at most every 20 ms; otherwise one per wide-area round trip (each costs an LM signature). */
export const ACK_PERIOD_FLOOR_US = 20_000;

export function defaultTimings(wanOneWayUs: TimeUs, overrides: { localSuspectUs?: TimeUs } = {}): ComposableTimings {
  const localSuspectUs = overrides.localSuspectUs ?? LOCAL_SUSPECT_FLOOR_US;
  const ackPeriodUs = Math.max(ACK_PERIOD_FLOOR_US, 2 * wanOneWayUs);
  // A round trip over BLink: out, ordered there, acknowledged within an ACK period, back,
  // the ACK disseminated — with room for one local leader change at either end (D8).
  const linkBaseUs = 6 * wanOneWayUs + 3 * ackPeriodUs + localSuspectUs;
  // Above BLink's recovery through 2f bad virtual links (Claim 4.8.1), so a bad link never
  // looks like a bad leader LM (D9).
  const wanBaseUs = 4 * linkBaseUs + 10 * wanOneWayUs;
  return {
    tickUs: TICK_US,
    localSuspectUs,
    fairForwardUs: localSuspectUs / 2,
    localRetransmitUs: localSuspectUs / 2,
    catchUpUs: localSuspectUs,
    linkRetransmitUs: linkBaseUs / 2,
    helloPeriodUs: linkBaseUs / 4,
    helloTimeoutUs: linkBaseUs,
    clinkOptUs: 4 * wanOneWayUs + 2 * localSuspectUs,
    clientRetryUs: wanBaseUs,
    machine: { wanBaseUs, ackPeriodUs, linkBaseUs },
  };
}
