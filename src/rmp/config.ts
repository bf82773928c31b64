// The typed configuration of one RMP process. Timers are in µs of the host's clock (virtual in
// the simulator, monotonic in the runtime); two presets give every default with its reason.
import { SeedWindowPolicy, type FlowPolicyFactory } from './flow-control.js';
import type { Pid } from './pid.js';

export interface RmpTimers {
  /** Hold an idle token this long before passing it with an empty ACK (heartbeat, spec §5.2). */
  tokenIdleUs: number;
  /** Hold the token this long when packets are not yet stable: stability needs a rotation (§5.6). */
  tokenUnstableHoldUs: number;
  /** Re-multicast my ACK when the next site shows no acceptance for this long (§5.2). */
  tokenPassRetryUs: number;
  /** Unanswered re-sends before the next site is suspected and reformation starts (§8.3). */
  tokenPassRetries: number;
  /** No token progress for this long: the token site is suspected (T_fail, seed §4). */
  tokenSilenceUs: number;
  /** Extra silence per position in the token list, so that usually one member originates. */
  silenceStaggerUs: number;
  /** Repeat interval of NACKs for what is still missing; also the first NACK's delay (§5.5). */
  nackIntervalUs: number;
  /** A source re-multicasts its data not yet ordered after this long (§5.1). */
  dataRetryUs: number;
  /** A retransmitter ignores further NACKs for an item it re-sent this recently (implosion damping). */
  retransSuppressUs: number;
  /** A joiner repeats its LIST_CHANGE_REQUEST(JOIN) this often (§8.1). */
  joinRetryUs: number;
  /** The originator collects RECOVERY_VOTEs this long (§8.3 step 3). */
  voteWindowUs: number;
  /** A voter that hears no new list this long starts a recovery of its own. */
  recoveryTimeoutUs: number;
  /** The originator re-sends the new list this often until every listed member shows up. */
  commitRetryUs: number;
  /** A blocked or removed member rejoins as a new member after this long (seed §4). */
  rejoinAfterUs: number;
  /** A leaver keeps answering NACKs this long, so its last packets can become stable (§8.2). */
  leaveLingerUs: number;
  /** A non-member re-sends an unanswered request this often (§9). */
  clientRetryUs: number;
}

/**
 * Simulated LAN (src/sim default link: 100 µs one way): every timer is a few round trips, so
 * that sweeps explore timeouts racing real traffic without simulating seconds of idle time.
 */
export const SIM_TIMERS: RmpTimers = {
  tokenIdleUs: 5_000,
  tokenUnstableHoldUs: 300,
  tokenPassRetryUs: 2_000,
  tokenPassRetries: 10,
  tokenSilenceUs: 30_000,
  silenceStaggerUs: 4_000,
  nackIntervalUs: 1_000,
  dataRetryUs: 8_000,
  retransSuppressUs: 600,
  joinRetryUs: 5_000,
  voteWindowUs: 6_000,
  recoveryTimeoutUs: 25_000,
  commitRetryUs: 3_000,
  rejoinAfterUs: 40_000,
  leaveLingerUs: 60_000,
  clientRetryUs: 6_000,
};

/**
 * Real LAN (namespaces on one bridge, or a switched Ethernet): round trips of 0.1–1 ms. The
 * token idles at 20 Hz; failure detection takes about 2 s rather than the seed's 15–30 s
 * (a 1995 default for shared, busy Ethernets) so that tests and the main job see a
 * reformation in seconds; raise `tokenSilenceUs` on lossy or loaded networks.
 */
export const LAN_TIMERS: RmpTimers = {
  tokenIdleUs: 50_000,
  tokenUnstableHoldUs: 1_000,
  tokenPassRetryUs: 20_000,
  tokenPassRetries: 40,
  tokenSilenceUs: 2_000_000,
  silenceStaggerUs: 250_000,
  nackIntervalUs: 5_000,
  dataRetryUs: 100_000,
  retransSuppressUs: 3_000,
  joinRetryUs: 200_000,
  voteWindowUs: 150_000,
  recoveryTimeoutUs: 1_000_000,
  commitRetryUs: 50_000,
  rejoinAfterUs: 1_000_000,
  leaveLingerUs: 2_000_000,
  clientRetryUs: 100_000,
};

/** Who may continue after a failure: a strict majority of MaxN, or at least this many members (seed §3). */
export type MinPartition = 'majority' | number;

/** The application's multi-RPC handler: the response to a request this process must answer (§9). */
export type RespondFn = (handler: number, payload: readonly Uint8Array[], client: Pid) => Uint8Array;

export interface RmpConfig {
  /** 32-bit hash of the group name (group-address.ts). */
  group: number;
  /** The initial token list: these processes start as members of view 1, in this order. */
  founders: Pid[];
  /** Default 'majority': agreed and safe levels need it (spec §7 (b)). */
  minPartition: MinPartition;
  /** A blocked or removed member rejoins as a new member by itself (seed §4). */
  autoRejoin: boolean;
  timers: RmpTimers;
  flow: FlowPolicyFactory;
  respond: RespondFn;
  /** Bytes of own packets not yet stable before the source stops sending (buffer bound, spec §12.11). */
  retransBufferMaxBytes: number;
}

/** Own unstable bytes a source may hold: 4 full windows, so flow control, not this, paces a healthy group. */
export const RETRANS_BUFFER_MAX_BYTES = 256 * 1024;

/** A handler that echoes the request's total length: deterministic, for simulations and tests. */
export const echoLengthResponder: RespondFn = (handler, payload) => {
  const out = new Uint8Array(6);
  const v = new DataView(out.buffer);
  v.setUint16(0, handler, true);
  v.setUint32(2, payload.reduce((n, m) => n + m.length, 0), true);
  return out;
};

export function rmpConfig(group: number, founders: Pid[], overrides: Partial<RmpConfig> = {}): RmpConfig {
  const c: RmpConfig = {
    group,
    founders,
    minPartition: 'majority',
    autoRejoin: true,
    timers: SIM_TIMERS,
    flow: () => new SeedWindowPolicy(),
    respond: echoLengthResponder,
    retransBufferMaxBytes: RETRANS_BUFFER_MAX_BYTES,
    ...overrides,
  };
  if (c.founders.length === 0) throw new RangeError('an RMP group needs at least one founder');
  if (new Set(c.founders).size !== c.founders.length) throw new RangeError('founders must be distinct');
  if (typeof c.minPartition === 'number' && !(Number.isInteger(c.minPartition) && c.minPartition >= 1))
    throw new RangeError(`minPartition must be 'majority' or a positive integer, got ${c.minPartition}`);
  return c;
}
