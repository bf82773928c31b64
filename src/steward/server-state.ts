// A Steward server's state (Steward Fig. 3.3): the global context (views, Latest_Global_VC,
// Global_History, Global_aru), the local context (views, Latest_New_Rep, Pending_Proposal_Aru,
// Update_Pool), execution and what the view-change protocols collect. One typed object that
// the server's parts (server-core.ts routes to them) read and write; the Local_History's
// Pre-Prepares, Prepares and PCs live in AssignSequence, partial signatures in ThresholdSign.
import type { Opened } from './envelopes.js';
import type { Msg } from './messages.js';

export interface ProposalRec {
  site: number;
  gv: number;
  lv: number;
  update: Uint8Array;
  digest: Uint8Array;
  env: Uint8Array;
}

export interface GouRec {
  gv: number;
  lv: number;
  update: Uint8Array;
  digest: Uint8Array;
  bytes: Uint8Array;
}

/** One Global_History slot (Fig. 3.3 globally_proposed_item). */
export interface GlobalSlot {
  proposal?: ProposalRec;
  /** Accepts by site, all from `acceptsGv`. */
  accepts: Map<number, Uint8Array>;
  acceptsGv: number;
  /** Accepts that came before their Proposal (spec §15.12: buffering is safe). */
  early: Map<number, { gv: number; digest: Uint8Array; env: Uint8Array }>;
  gou?: GouRec;
}

export interface PooledUpdate {
  client: number;
  ts: number;
  env: Uint8Array;
  digest: Uint8Array;
}

/** A CONSTRUCT-* invocation (Fig. 3.21): its scope, views and invocation aru. */
export interface StateRequest {
  scope: number;
  gv: number;
  lv: number;
  invocationAru: number;
}

/** D8: deferred retries kept per seq, per server of the site (bounded so duplicates cannot grow it). */
export const DEFERRED_RETRIES_PER_SERVER = 4;

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
export const updateKey = (client: number, ts: number): string => `${client}:${ts}`;

export class ServerState {
  // ---- global context ----
  gv = 0;
  gpv = 0;
  globallyConstrained = true; // D11: (gv, lv) = (0, 0) starts constrained
  readonly latestGlobalVC = new Map<number, { gv: number; env: Uint8Array }>();
  readonly global = new Map<number, GlobalSlot>();
  globalAru = 0;
  globalSeq = 1;
  // ---- local context ----
  lv = 0;
  lpv = 0;
  locallyConstrained = true;
  readonly latestNewRep = new Map<number, { lv: number; env: Uint8Array }>();
  pendingProposalAru = 0;
  readonly pool = new Map<string, PooledUpdate>();
  /** Updates the rep assigned whose signed Pre-Prepare is not back yet: already bound. */
  readonly assigning = new Map<number, string>();
  // ---- execution and clients ----
  /** Hash chain of the state machine's digests after each executed update (zeros before any): what replies and records carry. */
  stateChain: Uint8Array = new Uint8Array(32);
  readonly lastExecutedTs = new Map<number, number>();
  readonly lastReply = new Map<number, { ts: number; env: Uint8Array }>();
  // ---- view-change state collection (Figs 3.17–3.21) ----
  /** At the rep: the invocation it collects Server_State reports for. */
  collecting: (StateRequest & { reports: Map<number, Uint8Array> }) | null = null;
  /** A request this server answers once it has caught up to its invocation aru. */
  awaitingState: StateRequest | null = null;
  /** A verified bundle waiting for this server to catch up. */
  pendingBundle: Opened<Msg<'collectedState'>> | null = null;
  /** At the leader site's rep: Global_Constraints by site. */
  readonly constraints = new Map<number, Uint8Array>();
  lastCGC: Uint8Array | null = null;
  /** A verified Collected_Global_Constraints waiting for this server to catch up. */
  pendingCGC: Opened<Msg<'collectedGlobalConstraints'>> | null = null;
  /** The last gv this (non-leader) site's rep sent a Global_Constraint for. */
  constraintSent = -1;
  // ---- timers and catching up ----
  readonly timersRunning = { local: false, global: false };
  /** Highest seq any message mentioned: evidence that this server lacks GOUs (reconciliation). */
  maxSeenSeq = 0;
  /** Work waiting for a seq's predecessor to get its entry (D8), by seq. */
  private readonly deferred = new Map<number, Array<() => void>>();

  constructor(
    /** W (Fig. 3.9; D2). */
    readonly window: number,
    private readonly serversPerSite: number,
  ) {}

  slotOf(seq: number): GlobalSlot {
    let g = this.global.get(seq);
    if (!g) this.global.set(seq, (g = { accepts: new Map(), acceptsGv: -1, early: new Map() }));
    return g;
  }

  noteSeq(seq: number): void {
    if (seq > this.maxSeenSeq) this.maxSeenSeq = seq;
  }

  inWindow(seq: number): boolean {
    return seq > this.globalAru && seq <= this.globalAru + this.window;
  }

  /** Pending_Proposal_Aru: the seq through which this leader-site server holds Proposals (or GOUs). */
  recomputePendingProposalAru(): void {
    let s = Math.max(this.pendingProposalAru, this.globalAru);
    while (this.global.get(s + 1)?.proposal || this.global.get(s + 1)?.gou) s++;
    this.pendingProposalAru = s;
  }

  defer(seq: number, retry: () => void): void {
    let l = this.deferred.get(seq);
    if (!l) this.deferred.set(seq, (l = []));
    if (l.length < this.serversPerSite * DEFERRED_RETRIES_PER_SERVER) l.push(retry);
  }

  runDeferred(seq: number): void {
    const l = this.deferred.get(seq);
    if (!l) return;
    this.deferred.delete(seq);
    for (const retry of l) retry();
  }
}
