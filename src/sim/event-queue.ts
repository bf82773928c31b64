// The simulator's agenda: a binary min-heap ordered by (time, insertion sequence). The
// sequence number makes ties deterministic and FIFO: two events due at the same microsecond
// run in the order they were scheduled, whatever the heap's internal layout.
import type { TimeUs } from './core.js';

export interface Scheduled {
  /** Due time, virtual µs. */
  t: TimeUs;
  /** Insertion sequence; assigned by the queue. */
  seq: number;
}

export class EventQueue<E extends Scheduled> {
  private readonly heap: E[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(entry: E): void {
    entry.seq = this.nextSeq++;
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.t < entry.t || (p.t === entry.t && p.seq < entry.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  peek(): E | undefined {
    return this.heap[0];
  }

  pop(): E | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = heap[l]!;
      if (r < n) {
        const rc = heap[r]!;
        if (rc.t < child.t || (rc.t === child.t && rc.seq < child.seq)) {
          c = r;
          child = rc;
        }
      }
      if (last.t < child.t || (last.t === child.t && last.seq < child.seq)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = last;
    return top;
  }
}
