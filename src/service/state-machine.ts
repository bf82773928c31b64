// What a replication protocol executes (Steward §13's demo service; the composable
// architecture's replicated application): deterministic, no clock or randomness inside, so
// every correct replica that applies the same updates in the same order reaches the same
// state, which the checkers compare by digest.
export interface StateMachine {
  /** Applies one ordered update and returns its result (the same at every correct replica). */
  apply(update: Uint8Array): Uint8Array;
  /** Answers a read-only query from the current state (Steward §3.3: local reads). */
  query(query: Uint8Array): Uint8Array;
  /** A digest of the whole state: equal states, equal digests. */
  digest(): Uint8Array;
}

/** How a client reaches the service: through a replication protocol, or (baseline) directly. */
export interface ServiceClient {
  /** The largest encoded command the protocol carries (none: unbounded). */
  readonly maxCommandBytes?: number;
  /** Resolves with the update's result once the protocol has ordered and executed it. */
  update(update: Uint8Array): Promise<Uint8Array>;
  query(query: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The protocol did not answer in time (the gateway says 504). */
export class ServiceTimeoutError extends Error {}
