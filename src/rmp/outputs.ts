// What an RMP process reports through `output` effects: the application's view (deliveries,
// views, replies) and the facts the spec §12 checkers need (holding, token acceptance, lock
// state). One name and one record shape each, shared by the core and the checkers.
import type { QosLevel } from './qos.js';

export const OUT = {
  /** The process (re)started or rejoined under a new id. */
  incarnation: 'rmp.incarnation',
  /** An own packet left (assigned its sequence number). */
  sent: 'rmp.sent',
  /** A packet was delivered to the application. */
  deliver: 'rmp.deliver',
  /** The process now holds timestamp `ts` (its ordering and, for data, its bytes). */
  have: 'rmp.have',
  /** A membership view was installed (delivered at its place in the total order). */
  view: 'rmp.view',
  /** A reformation was committed here: timestamps above `syncTs` are void, `removed` are out for good. */
  reformed: 'rmp.reformed',
  /** The process accepted the token. */
  token: 'rmp.token',
  /** Handler lock state changed at a point of the total order. */
  lock: 'rmp.lock',
  /** A member answered a non-member's request (first time only). */
  respond: 'rmp.respond',
  /** A non-member sent a request / got its first reply. */
  request: 'rmp.request',
  reply: 'rmp.reply',
  /** A client behind a forwarder moved on to the member on `node` (D21). */
  forwarder: 'rmp.forwarder',
  /** Buffer occupancy, reported at token acceptance when it changed. */
  buffers: 'rmp.buffers',
  /** Status changes: joining, member, leaving, left, blocked, gone. */
  status: 'rmp.status',
  /** A broken internal invariant (a bug): the simulator's checker fails the run on it. */
  invariant: 'rmp.invariant',
} as const;

/** Packet identity in traces: "src:seq" (src a Pid); unreliable packets "src:u<seq>". */
export function packetId(src: number, seq: number): string {
  return `${src}:${seq}`;
}
export function unreliableId(src: number, seq: number): string {
  return `${src}:u${seq}`;
}
/** A view-change timestamp's identity in `have` records. */
export function viewEntryId(viewKey: string): string {
  return `view:${viewKey}`;
}

export interface SentRecord { pid: number; id: string; qos: QosLevel; k: number; handler: number; bytes: number }
export interface DeliverRecord {
  pid: number;
  id: string;
  src: number;
  seq: number;
  qos: QosLevel;
  k: number;
  /** Timestamp, or -1 for a packet delivered outside the total order (unreliable … source ordered). */
  ts: number;
  /** Key of the view that ordered it (null when delivered outside the total order). */
  orderView: string | null;
  /** Messages in the packet. */
  messages: number;
  nonMember: boolean;
}
export interface HaveRecord { pid: number; id: string; ts: number }
export interface ViewRecord { pid: number; key: string; list: number[]; prev: string | null; ts: number; cause: 'founded' | 'joined' | 'change' | 'reformation' }
export interface ReformedRecord { pid: number; key: string; syncTs: number; removed: number[] }
export interface TokenRecord { pid: number; view: string; pass: number; upTo: number }
export interface LockRecord { pid: number; handler: number; holder: number; ts: number }
export interface RespondRecord { pid: number; client: number; seq: number; handler: number }
export interface RequestRecord { pid: number; seq: number; qos: QosLevel; handler: number }
export interface ReplyRecord { pid: number; seq: number; from: number; status: number }
export interface BuffersRecord { pid: number; data: number; acks: number; queued: number; unstableBytes: number }
export interface StatusRecord { pid: number; status: string }
