// One source's packets as a member sees them (spec §4 dataStore, srcNext): what arrived, what
// is ordered at which timestamp, what was delivered, and what can be forgotten. Sequence
// numbers are dense per source, and the token site orders a source's packets in sequence
// order (spec §5.2), so "ordered" and "released" are prefixes of the sequence space.
import type { DataPacket } from './packets.js';
import type { Pid } from './pid.js';

export interface StoredData {
  packet: DataPacket;
  /** The packet's original encoding: retransmitted as is (inside RETRANS). */
  bytes: Uint8Array;
  /** Application bytes (flow control counts these). */
  size: number;
  /** Arrival order at this member: the token site orders by it (fairness between sources). */
  arrival: number;
  delivered: boolean;
  /** Last time this member re-sent it (NACK answers are damped, spec §5.5). */
  lastRetransUs: number;
  /** Own packets: last (re)transmission, for the data-retry timer. */
  sentAtUs: number;
}

export class SourceStream {
  readonly data = new Map<number, StoredData>();
  /** Timestamp of each ordered sequence number still held. */
  readonly tsOf = new Map<number, number>();
  /** Every seq ≤ orderedTo is ordered (in the current numbering). */
  orderedTo = 0;
  /** Every seq ≤ releasedTo is delivered (or not this member's to deliver) and forgotten. */
  releasedTo = 0;
  /** Source-order cursor: every seq ≤ chainTo is settled for source-ordered delivery. */
  chainTo = 0;
  /** Highest seq seen: a gap below it is NACKed. */
  maxSeen = 0;
  /** A non-member without multicast: the member its latest request came through (seed §5, D21). */
  forwarder: Pid | undefined = undefined;

  constructor(readonly src: Pid) {}

  /** A joiner starts after the frontier its join carried (decisions.md D11). */
  startAfter(seq: number): void {
    this.orderedTo = this.releasedTo = this.chainTo = this.maxSeen = seq;
  }

  has(seq: number): boolean {
    return this.data.has(seq);
  }

  /** Seen before: held now, or delivered and forgotten. */
  seen(seq: number): boolean {
    return seq <= this.releasedTo || this.data.has(seq);
  }

  markOrdered(seq: number, ts: number): void {
    this.tsOf.set(seq, ts);
    while (this.tsOf.has(this.orderedTo + 1)) this.orderedTo++;
  }

  /** Reformation voided this seq's timestamp: the packet is unordered again. */
  unorder(seq: number): void {
    this.tsOf.delete(seq);
    if (seq <= this.orderedTo) this.orderedTo = seq - 1;
  }

  /** Forget a delivered, stable packet; returns it. */
  release(seq: number): StoredData | undefined {
    const d = this.data.get(seq);
    this.data.delete(seq);
    this.tsOf.delete(seq);
    if (seq > this.releasedTo) this.releasedTo = seq;
    if (this.chainTo < seq) this.chainTo = seq;
    return d;
  }

  /** Held packets not yet ordered, in sequence order from the next one to order. */
  *orderable(): Generator<[number, StoredData]> {
    for (let seq = this.orderedTo + 1; ; seq++) {
      const d = this.data.get(seq);
      if (d === undefined || this.tsOf.has(seq)) return;
      yield [seq, d];
    }
  }
}
