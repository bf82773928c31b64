// Flow and congestion control as a pluggable policy (seed §7: "designed to be orthogonal to
// the rest of the protocol"). The core asks the policy how large the next packet may be and
// tells it when its bytes are ordered or lost; it never looks inside.
import { MAX_PACKET_BYTES, MIN_PACKET_BYTES } from './limits.js';

/** The answer "hold this packet until an ACK frees window space". */
export const WAIT = 0;

export interface FlowPolicy {
  /**
   * Bytes to put into the next packet, given `offered` bytes queued by the application and
   * `inFlight` bytes sent but not yet ordered; WAIT to hold.
   */
  nextPacketSize(offered: number, inFlight: number): number;
  /** An ACK ordered `bytes` of this source's data. */
  onOrdered(bytes: number): void;
  /** A NACK asked for this source's data, or its data-retry timer fired. */
  onLoss(): void;
  /** Current window, bytes (reported in traces and benchmarks). */
  readonly window: number;
}

export type FlowPolicyFactory = () => FlowPolicy;

/** 64 KB: the largest unscaled TCP window, the seed's Van Jacobson reference (spec §10). */
export const WINDOW_MAX_BYTES = 64 * 1024;

/**
 * Figure 1's packet-size rule with Van Jacobson window dynamics (spec §10): slow start from
 * one minimum packet, exponential growth below ssthresh, linear above; any loss halves
 * ssthresh and drops the window to a single minimum packet ("if errors occur, the window size
 * quickly drops to a single minimum size packet", §7).
 */
export class SeedWindowPolicy implements FlowPolicy {
  window = MIN_PACKET_BYTES;
  private ssthresh = WINDOW_MAX_BYTES;

  constructor(private readonly windowMax = WINDOW_MAX_BYTES) {}

  nextPacketSize(offered: number, inFlight: number): number {
    const available = Math.max(0, this.window - inFlight);
    if (available < MIN_PACKET_BYTES && available < this.window) return WAIT;
    let size = Math.min(offered, Math.floor(this.window / 2)); // up to half the window at a time
    size = Math.max(size, MIN_PACKET_BYTES);
    size = Math.min(size, available);
    return Math.min(size, MAX_PACKET_BYTES);
  }

  onOrdered(bytes: number): void {
    if (this.window < this.ssthresh) this.window += bytes;
    else this.window += Math.max(1, Math.floor((MIN_PACKET_BYTES * bytes) / this.window));
    this.window = Math.min(this.window, this.windowMax);
  }

  onLoss(): void {
    this.ssthresh = Math.max(Math.floor(this.window / 2), 2 * MIN_PACKET_BYTES);
    this.window = MIN_PACKET_BYTES;
  }
}

/** A fixed window and no loss reaction: the policy for links the operator sized by hand. */
export class FixedWindowPolicy implements FlowPolicy {
  constructor(readonly window: number) {
    if (!(window >= MIN_PACKET_BYTES)) throw new RangeError(`a fixed window needs at least ${MIN_PACKET_BYTES} bytes`);
  }
  nextPacketSize(offered: number, inFlight: number): number {
    const available = this.window - inFlight;
    if (available < MIN_PACKET_BYTES && inFlight > 0) return WAIT;
    return Math.min(MAX_PACKET_BYTES, Math.max(MIN_PACKET_BYTES, Math.min(offered, available)));
  }
  onOrdered(): void {}
  onLoss(): void {}
}
