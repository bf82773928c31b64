// The network between simulated nodes: per directed link a sender-side FIFO queue drained at
// the link's bandwidth, then propagation delay; loss, duplication and reordering for
// messages; and partitions. A link is one RC-like channel: messages that are not picked for
// reordering, and every one-sided write, arrive in the order they were sent (RDMA RC
// semantics for writes: never lost at random, duplicated or reordered).
import type { NodeId, TimeUs } from './core.js';
import { resolveLink, sampleLatency, serialisationUs, type LinkConfig, type NetworkConfig } from './link.js';
import type { Rng } from './prng.js';

export type DropReason = 'loss' | 'partition';

/** What happened to one transmission; reused between calls (read it before the next one). */
export interface Transmission {
  /** Why it never arrives, or null. */
  dropped: DropReason | null;
  /** When its first bit leaves the sender (after queueing behind earlier traffic). */
  txStartUs: TimeUs;
  /** Arrival of the first copy. */
  arrivalUs: TimeUs;
  /** Arrival of a duplicate copy, or -1. */
  duplicateUs: TimeUs;
  /** True when the message was held back so that later traffic may overtake it. */
  reordered: boolean;
}

interface LinkState {
  config: LinkConfig;
  /** The sender's link is busy serialising earlier traffic until then. */
  busyUntilUs: TimeUs;
  /** Latest in-order arrival so far: FIFO traffic never arrives before it. */
  fifoUntilUs: TimeUs;
}

export class Network {
  private readonly links: (LinkState | undefined)[];
  /** Active partitions: for each, every node's side (group index; -1 = the unlisted rest). */
  private readonly partitions = new Map<number, Int32Array>();
  private readonly out: Transmission = { dropped: null, txStartUs: 0, arrivalUs: 0, duplicateUs: -1, reordered: false };

  constructor(
    private readonly nodeCount: number,
    private readonly config: NetworkConfig | undefined,
    private readonly rng: Rng,
  ) {
    this.links = new Array(nodeCount * nodeCount);
  }

  /** The resolved configuration of link from→to. */
  link(from: NodeId, to: NodeId): LinkConfig {
    return this.state(from, to).config;
  }

  private state(from: NodeId, to: NodeId): LinkState {
    const i = from * this.nodeCount + to;
    let s = this.links[i];
    if (s === undefined) {
      s = { config: resolveLink(this.config, from, to), busyUntilUs: 0, fifoUntilUs: 0 };
      this.links[i] = s;
    }
    return s;
  }

  /** Cut the network into `groups` (nodes in no group form one more side) until `heal(id)`. */
  partition(id: number, groups: readonly (readonly NodeId[])[]): void {
    const side = new Int32Array(this.nodeCount).fill(-1);
    groups.forEach((g, gi) => g.forEach((n) => (side[n] = gi)));
    this.partitions.set(id, side);
  }

  heal(id: number): void {
    this.partitions.delete(id);
  }

  /** True when some active partition separates a from b. */
  cut(a: NodeId, b: NodeId): boolean {
    if (a === b) return false;
    for (const side of this.partitions.values()) if (side[a] !== side[b]) return true;
    return false;
  }

  /**
   * Put `bytes` on link from→to at `nowUs`. `oneSided` marks an RDMA write: FIFO, never lost at
   * random, duplicated or reordered. Traffic to oneself skips the wire (arrives now, in order).
   */
  transmit(from: NodeId, to: NodeId, bytes: number, nowUs: TimeUs, oneSided: boolean): Transmission {
    const out = this.out;
    out.dropped = null;
    out.duplicateUs = -1;
    out.reordered = false;
    if (from === to) {
      out.txStartUs = out.arrivalUs = nowUs;
      return out;
    }
    const s = this.state(from, to);
    const c = s.config;
    const txStart = Math.max(nowUs, s.busyUntilUs);
    const txEnd = txStart + serialisationUs(bytes + c.overheadBytes, c.bandwidthBytesPerSec);
    s.busyUntilUs = txEnd;
    out.txStartUs = txStart;
    if (this.cut(from, to)) {
      out.dropped = 'partition';
      return out;
    }
    if (!oneSided && this.rng.chance(c.loss)) {
      out.dropped = 'loss';
      return out;
    }
    let arrival = txEnd + sampleLatency(c.latency, this.rng);
    if (!oneSided && this.rng.chance(c.reorder)) {
      out.reordered = true;
      arrival += sampleLatency(c.reorderDelay, this.rng);
    } else {
      arrival = Math.max(arrival, s.fifoUntilUs);
      s.fifoUntilUs = arrival;
    }
    out.arrivalUs = arrival;
    if (!oneSided && this.rng.chance(c.duplicate)) out.duplicateUs = arrival + sampleLatency(c.reorderDelay, this.rng);
    return out;
  }

  /** A crashed sender's unsent queue is lost: its links are free again from `atUs`. */
  flushSender(from: NodeId, atUs: TimeUs): void {
    for (let to = 0; to < this.nodeCount; to++) {
      const s = this.links[from * this.nodeCount + to];
      if (s !== undefined && s.busyUntilUs > atUs) s.busyUntilUs = atUs;
    }
  }
}
