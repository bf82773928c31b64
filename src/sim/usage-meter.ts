// Resource use of a run inside one window of virtual time: how long each node's crypto CPU
// was busy and how many bytes each directed node pair sent. Benchmarks use it to name a
// point's bottleneck (a saturated CPU, or a full link) instead of guessing it. Not traced:
// metering never changes a run.
import type { NodeId, TimeUs } from './core.js';

export interface UsageWindow {
  fromUs: TimeUs;
  toUs: TimeUs;
}

export class UsageMeter {
  /** Per node: µs of crypto work that fell inside the window. */
  readonly cryptoBusyUs: Float64Array;
  /** Per node: the same µs split by crypto op. */
  readonly #byOp: Map<string, number>[];
  /** Per directed pair (from · nodeCount + to): [bytes, messages]. */
  readonly #sent = new Map<number, [number, number]>();

  constructor(
    readonly window: UsageWindow,
    private readonly nodeCount: number,
  ) {
    if (!(window.toUs > window.fromUs)) throw new RangeError(`usage window must end after it starts, got ${window.fromUs}..${window.toUs}`);
    this.cryptoBusyUs = new Float64Array(nodeCount);
    this.#byOp = Array.from({ length: nodeCount }, () => new Map());
  }

  /** A node's CPU does crypto op `op` from startUs to endUs. */
  crypto(node: NodeId, op: string, startUs: TimeUs, endUs: TimeUs): void {
    const overlap = Math.min(endUs, this.window.toUs) - Math.max(startUs, this.window.fromUs);
    if (overlap <= 0) return;
    this.cryptoBusyUs[node]! += overlap;
    const byOp = this.#byOp[node]!;
    byOp.set(op, (byOp.get(op) ?? 0) + overlap);
  }

  /** A node's crypto busy µs inside the window, per op. */
  cryptoBusyByOp(node: NodeId): Record<string, number> {
    return Object.fromEntries(this.#byOp[node]!);
  }

  /** `from` hands `bytes` to the network for `to` at `atUs`. */
  send(from: NodeId, to: NodeId, bytes: number, atUs: TimeUs): void {
    if (atUs < this.window.fromUs || atUs >= this.window.toUs) return;
    const key = from * this.nodeCount + to;
    const sent = this.#sent.get(key);
    if (sent === undefined) this.#sent.set(key, [bytes, 1]);
    else {
      sent[0] += bytes;
      sent[1] += 1;
    }
  }

  /** What `from` sent to `to` inside the window (payload bytes; add any per-message header yourself). */
  sent(from: NodeId, to: NodeId): { bytes: number; messages: number } {
    const [bytes, messages] = this.#sent.get(from * this.nodeCount + to) ?? [0, 0];
    return { bytes, messages };
  }
}
