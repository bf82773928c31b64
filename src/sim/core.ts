// The one interface every protocol core implements (DESIGN principle 1): events in, effects
// out. No clock, randomness, sockets or promises inside a core; time arrives as `nowUs` and
// timers are effects. The same core runs under the simulator (src/sim) and the real runtimes.
// Messages are bytes so that a core written in C++ behind the addon fits as well as a
// TypeScript one, sizes are real for bandwidth modelling, and decoders face every input.

/** Index of a node in a cluster (servers and clients alike). */
export type NodeId = number;

/** Microseconds of virtual (simulator) or monotonic (runtime) time. */
export type TimeUs = number;

/** JSON-shaped data: what a core reports as output, so traces serialise byte-exactly. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type CoreEvent =
  /** First event a node sees; also after a crash-restart (`restarted` true, state was lost). */
  | { kind: 'start'; restarted: boolean }
  /** A message from a peer arrived. */
  | { kind: 'receive'; from: NodeId; bytes: Uint8Array }
  /** A peer's one-sided write landed in this node's registered memory `region` at `offset`. */
  | { kind: 'memory'; from: NodeId; region: string; offset: number; bytes: Uint8Array }
  /** A timer this node set has fired. */
  | { kind: 'timer'; timer: string }
  /** Application input (a client request, an injected command). */
  | { kind: 'request'; bytes: Uint8Array }
  /** The host's failure detector changed its opinion of a peer. */
  | { kind: 'suspect'; node: NodeId; suspected: boolean }
  /** A crypto job the core asked for has completed (`ok` false: verification failed). */
  | { kind: 'crypto'; job: string; ok: boolean; bytes: Uint8Array };

export type CoreEffect =
  | { kind: 'send'; to: NodeId; bytes: Uint8Array }
  /** One-sided write into `to`'s memory region; writes on one (from,to) pair apply in order. */
  | { kind: 'write'; to: NodeId; region: string; offset: number; bytes: Uint8Array }
  /** (Re)arm a named timer; re-setting a live timer replaces it. */
  | { kind: 'set-timer'; timer: string; afterUs: TimeUs }
  | { kind: 'cancel-timer'; timer: string }
  /** Something observable for checkers and the application (e.g. a delivery). */
  | { kind: 'output'; name: string; data: Json }
  /** Ask the host for crypto work (sign, verify, combine); answered by a `crypto` event. */
  | { kind: 'crypto'; job: string; op: string; bytes: Uint8Array }
  /**
   * Grant or revoke remote-write permission on one of this node's regions for a peer
   * (RamCast fences a deposed leader this way, spec/ramcast.md §6).
   */
  | { kind: 'permit'; region: string; peer: NodeId; allowed: boolean };

export interface Core {
  handle(nowUs: TimeUs, event: CoreEvent): CoreEffect[];
}
