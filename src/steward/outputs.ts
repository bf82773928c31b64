// What Steward cores report through `output` effects: the facts the §10 checkers read
// (properties.ts) and the runtime writes to its execution logs.
export const OUT = {
  /** A server executed the update at a global seq (S1, S2, I1–I4). */
  execute: 'steward.execute',
  /** A server built a Prepare Certificate (I5). */
  pc: 'steward.pc',
  /** A seq gained or lost its PC at a server (built, adopted from a bundle, dropped for a newer view: I8). */
  pcHeld: 'steward.pc-held',
  /** A server obtained a T-signed Proposal (I6, I7). */
  proposal: 'steward.proposal',
  /** A leader-site rep assigned a seq by a Pre-Prepare, and whether it was constrained then (I10, I16). */
  prePrepare: 'steward.pre-prepare',
  /** A server sent a Prepare for a rep's Pre-Prepare, and whether it was constrained then (I10, I16). */
  prepare: 'steward.prepare',
  /** A server put a Proposal into its Global_History slot for a seq (I12). */
  proposalStored: 'steward.proposal-stored',
  /** A server dropped a Proposal of an older gv on applying a Collected_Global_Constraints (D17; I12). */
  proposalDropped: 'steward.proposal-dropped',
  /** A server invoked RELIABLE-SEND-TO-ALL-SITES on a message its site signed (I17). */
  reliableSent: 'steward.reliable-sent',
  /** A server combined 2f+1 partials into its site's threshold signature on some data (I13). */
  siteSigned: 'steward.site-signed',
  /** A server stored a GOU. */
  gou: 'steward.gou',
  /** A server's views changed, with the rep and leader site it derives from them (I9, I16). */
  view: 'steward.view',
  /** A server blacklisted a site member (I14). */
  blacklist: 'steward.blacklist',
  /** A client submitted an update (S2's log of submissions). */
  submit: 'steward.submit',
  /** A client accepted a result backed by f+1 matching replies (L1). */
  accepted: 'steward.accepted',
  /** A client accepted a read-only query answer. */
  queryAnswered: 'steward.query',
} as const;

export interface ExecuteRecord {
  seq: number;
  /** The view the update was ordered in. */
  gv: number;
  /** The executing server's local view at the time. */
  lv: number;
  client: number;
  ts: number;
  /** Digest of the client's signed Update envelope, hex. */
  digest: string;
  /** A duplicate (client, ts) that was ordered again: executed as a no-op (D4). */
  noop: boolean;
  /** First 8 bytes of the state chain after it (hash of the state machine's digests), hex: S1 compares it. */
  state: string;
}

export interface SubmitRecord {
  client: number;
  ts: number;
  digest: string;
}

export interface AcceptedRecord {
  client: number;
  ts: number;
  /** The update's seq, or the aru a query answer reflects. */
  seq: number;
  latencyUs: number;
}

/** A Steward client's `accepted` or `query` output: what it accepted, with the state machine's result. */
export interface AnswerRecord extends AcceptedRecord {
  /** The state machine's result, hex. */
  result: string;
  /** Queries only: the first 8 bytes of the state chain the answer reflects, hex. */
  state?: string;
}

/** OUT.siteSigned: the signed data, as the trace names payloads (src/sim/trace.ts payloadDigest). */
export interface SiteSignedRecord {
  /** CRC-32C of the data, 8 hex digits. */
  data: string;
  size: number;
}

/** OUT.reliableSent: the message, named as the trace names payloads (its receipts carry the same). */
export interface ReliableSentRecord {
  /** CRC-32C of the message, 8 hex digits. */
  message: string;
  size: number;
}
