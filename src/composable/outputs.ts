// What composable cores report through `output` effects: the facts the checkers read
// (properties.ts) and the runtime writes to its execution logs.
export const OUT = {
  /** A server executed one locally ordered instance of its LM (local S1). */
  localExecute: 'composable.local-execute',
  /** A server executed a client update at a global seq (S1, S2, exactly-once). */
  execute: 'composable.execute',
  /** An LM produced a message on a logical link (BLink integrity and delivery). */
  linkSend: 'composable.link-send',
  /** An LM ordered (delivered) a message from a logical link. */
  linkDeliver: 'composable.link-deliver',
  /** A server's local or wide-area view changed (views never go back). */
  view: 'composable.view',
  /** A server proved a member of its site faulty (never a correct one). */
  blacklist: 'composable.blacklist',
  /** A client submitted an update (S2's record of submissions). */
  submit: 'composable.submit',
  /** A client accepted a result backed by enough matching replies (L1). */
  accepted: 'composable.accepted',
} as const;

export interface LocalExecuteRecord {
  site: number;
  seq: number;
  /** Digest of the agreed batch, hex. */
  digest: string;
  events: number;
}

export interface ExecuteRecord {
  seq: number;
  /** The wide-area view the update was decided in. */
  view: number;
  client: number;
  ts: number;
  /** Digest of the client's signed update envelope, hex ('' for a no-op filling a gap). */
  digest: string;
  /** A duplicate (client, ts) or a gap filler: executed as a no-op. */
  noop: boolean;
  /** First 8 bytes of the chained state digest after it, hex. */
  state: string;
}

export interface LinkRecord {
  from: number;
  to: number;
  seq: number;
  digest: string;
}

/** Client records are Steward's (src/steward/outputs.ts). */
export type { AcceptedRecord, SubmitRecord } from '../steward/outputs.js';
