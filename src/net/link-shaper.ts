// The wide-area link shaper (DESIGN.md "Wide-area emulation"): this kernel has no netem, so,
// like the papers' testbed (Steward ran over the Spines overlay, spec/steward.md), each
// directed site-to-site link is emulated in the runtime: one-way propagation delay, a
// transmitter of fixed bandwidth (a message occupies it for bytes·8/bandwidth; later
// messages queue behind it, tail-dropped past the queue bound) and random loss. Delivery
// keeps FIFO order and is timed by PreciseTimers to well under 1 ms.
import { PreciseTimers } from './precise-timer.js';

export interface LinkSpec {
  /** One-way propagation delay, ms (the papers' links: 50 or 100 ms). */
  delayMs: number;
  /** Link rate, bits/s; undefined = unlimited (no serialisation delay). */
  bandwidthBps?: number;
  /** Probability in [0, 1) that a message is lost. */
  loss?: number;
  /** Bytes that may wait for the transmitter before new messages are dropped. */
  queueBytesMax?: number;
}

export interface LinkStats {
  sent: number;
  delivered: number;
  lostRandom: number;
  droppedQueue: number;
}

/** Default queue: 1 MB, a generous router buffer; the papers' links did not drop on overflow. */
const QUEUE_BYTES_DEFAULT = 1 << 20;

const shared = new PreciseTimers();

export class LinkShaper {
  readonly stats: LinkStats = { sent: 0, delivered: 0, lostRandom: 0, droppedQueue: 0 };
  /** Monotonic ns at which the transmitter finishes the last accepted message. */
  private busyUntilNs = 0n;
  private closed = false;
  private readonly delayNs: bigint;
  private readonly queueBytesMax: number;

  constructor(
    readonly spec: LinkSpec,
    private readonly deliver: (message: Uint8Array) => void,
    private readonly random: () => number = Math.random,
    private readonly timers: PreciseTimers = shared,
  ) {
    if (!(spec.delayMs >= 0)) throw new RangeError(`link delayMs must be ≥ 0, got ${spec.delayMs}`);
    if (spec.bandwidthBps !== undefined && !(spec.bandwidthBps > 0)) throw new RangeError(`link bandwidthBps must be > 0, got ${spec.bandwidthBps}`);
    if (spec.loss !== undefined && !(spec.loss >= 0 && spec.loss < 1)) throw new RangeError(`link loss must be in [0, 1), got ${spec.loss}`);
    this.delayNs = BigInt(Math.round(spec.delayMs * 1e6));
    this.queueBytesMax = spec.queueBytesMax ?? QUEUE_BYTES_DEFAULT;
  }

  /** Accepts a message for the far end; false when it was dropped (loss or full queue). */
  send(message: Uint8Array): boolean {
    if (this.closed) return false;
    this.stats.sent++;
    const now = process.hrtime.bigint();
    const start = this.busyUntilNs > now ? this.busyUntilNs : now;
    const bw = this.spec.bandwidthBps;
    if (bw !== undefined && (Number(start - now) / 1e9) * (bw / 8) > this.queueBytesMax) {
      this.stats.droppedQueue++;
      return false;
    }
    const txNs = bw === undefined ? 0n : BigInt(Math.round(((message.length * 8) / bw) * 1e9));
    this.busyUntilNs = start + txNs;
    // A lost message still used the transmitter: loss happens on the wire, after serialisation.
    if (this.spec.loss && this.random() < this.spec.loss) {
      this.stats.lostRandom++;
      return false;
    }
    this.timers.at(this.busyUntilNs + this.delayNs, () => {
      if (this.closed) return;
      this.stats.delivered++;
      this.deliver(message);
    });
    return true;
  }

  /** Messages still in flight are discarded. */
  close(): void {
    this.closed = true;
  }
}
