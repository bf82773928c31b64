// Timers precise to well under a millisecond for the link shaper. Node's setTimeout fires
// late by up to ~1 ms (and more under load), too coarse for emulating 50 ms links to 1 ms.
// Pending deadlines sit in one min-heap; a single setTimeout is armed to wake
// PRECISE_LEAD_MS before the earliest, and the final stretch is waited out by re-checking
// the clock on setImmediate turns (I/O keeps flowing; CPU is spent only in that last stretch).

/** Wake this long before a deadline and finish with the precise wait. */
const PRECISE_LEAD_MS = 1.5;

interface Entry {
  atNs: bigint;
  seq: number;
  fn: () => void;
}

const nowNs = () => process.hrtime.bigint();

export class PreciseTimers {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private armed: NodeJS.Timeout | undefined;
  private spinning = false;

  /** Runs fn at monotonic time atNs (process.hrtime.bigint()); same-time entries keep FIFO order. */
  at(atNs: bigint, fn: () => void): void {
    this.push({ atNs, seq: this.seq++, fn });
    this.schedule();
  }

  /** Pending entries (for tests and shutdown). */
  get pending(): number {
    return this.heap.length;
  }

  clear(): void {
    this.heap.length = 0;
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
  }

  private schedule(): void {
    if (this.spinning || this.heap.length === 0) return;
    const leadNs = Number(this.heap[0]!.atNs - nowNs()) / 1e6 - PRECISE_LEAD_MS;
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
    if (leadNs > 0) {
      this.armed = setTimeout(() => {
        this.armed = undefined;
        this.spin();
      }, leadNs);
    } else {
      this.spin();
    }
  }

  private spin(): void {
    this.spinning = true;
    const turn = () => {
      const now = nowNs();
      while (this.heap.length > 0 && this.heap[0]!.atNs <= now) this.pop().fn();
      if (this.heap.length === 0 || Number(this.heap[0]!.atNs - nowNs()) / 1e6 > PRECISE_LEAD_MS) {
        this.spinning = false;
        this.schedule();
        return;
      }
      setImmediate(turn);
    };
    setImmediate(turn);
  }

  private less(a: Entry, b: Entry): boolean {
    return a.atNs < b.atNs || (a.atNs === b.atNs && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
