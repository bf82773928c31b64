// The total order as one member knows it (spec §4 `ordered`, §5.6, §7): timestamp → entry,
// the views entries were ordered in, what each member is known to hold, stability and MaxN.
//
// Holding is learned from token traffic only (D6): a member that sends ACK p, or CONFIRMs
// accepting pass p, holds every timestamp up to that ACK's end — the acceptance rule (§5.3)
// makes it so. That one fact gives K-resilience, majority and stability counts without
// per-receiver acknowledgements (seed §2).
import type { Pid } from './pid.js';
import type { View } from './view.js';

export type Entry =
  | { kind: 'data'; src: Pid; seq: number; view: View; orderedBy: Pid }
  /** A membership change: installed at this timestamp; `prev` is the view that ordered it. */
  | { kind: 'view'; view: View; prev: View; cause: 'change' | 'reformation' };

/** The view whose members must hold an entry for it to be stable (D(ts)). */
export function orderingView(e: Entry): View {
  return e.kind === 'data' ? e.view : e.prev;
}

interface KnownView {
  view: View;
  /** Last timestamp this view ordered (Infinity while it is the current ordering view). */
  cut: number;
}

interface StoredAck {
  from: number;
  to: number;
  bytes: Uint8Array;
  lastRetransUs: number;
}

export class OrderLog {
  readonly entries = new Map<number, Entry>();
  /** Highest timestamp with a known entry. */
  maxTs = 0;
  /** Highest timestamp a packet of an unknown (newer) view implied exists: NACKed, not trusted. */
  hintTs = 0;
  /** Entries at or below this are delivered, stable and forgotten. */
  releasedTs = 0;
  stableTs = 0;
  /** Highest timestamp each member is known to hold (from its ACKs and CONFIRMs). */
  readonly heldTo = new Map<Pid, number>();
  /** Members excluded by a reformation: out for good (seed §4), never counted as required. */
  readonly removed = new Set<Pid>();
  private readonly views = new Map<string, KnownView>();
  /** ACKs that ordered something not yet released, for order NACKs (oldest first). */
  private readonly acks: StoredAck[] = [];
  private maxNCache: { stable: number; max: number; held: number; value: number } | null = null;
  /** Bumped on every holding change: invalidates the MaxN cache. */
  private heldVersion = 0;

  constructor(base: number, current: View) {
    this.maxTs = this.releasedTs = this.stableTs = base;
    this.views.set(current.key, { view: current, cut: Infinity });
  }

  knownView(key: string): KnownView | undefined {
    return this.views.get(key);
  }

  /** A join or leave ordered at `ts` ends `prev` there and starts `next` (spec §8.1–8.2). */
  changeView(prev: View, next: View, ts: number): void {
    const k = this.views.get(prev.key);
    if (k !== undefined) k.cut = Math.min(k.cut, ts);
    if (!this.views.has(next.key)) this.views.set(next.key, { view: next, cut: Infinity });
  }

  noteHeld(pid: Pid, ts: number): void {
    if (ts <= (this.heldTo.get(pid) ?? 0)) return;
    this.heldTo.set(pid, ts);
    this.heldVersion++;
  }

  storeAck(from: number, to: number, bytes: Uint8Array): void {
    if (to < from || to <= this.releasedTs || this.acks.some((a) => a.from === from)) return;
    let i = this.acks.length;
    while (i > 0 && this.acks[i - 1]!.from > from) i--;
    this.acks.splice(i, 0, { from, to, bytes, lastRetransUs: -Infinity });
  }

  /** Stored ACKs overlapping [from, to]. */
  acksCovering(from: number, to: number): StoredAck[] {
    return this.acks.filter((a) => a.to >= from && a.from <= to);
  }

  get storedAcks(): number {
    return this.acks.length;
  }

  /** Distinct members of the entry's view known to hold `ts`, and how many are still members. */
  holders(ts: number): { held: number; live: number; viewSize: number } {
    const e = this.entries.get(ts)!;
    const list = orderingView(e).list;
    let held = 0;
    let live = 0;
    for (const x of list) {
      if ((this.heldTo.get(x) ?? 0) >= ts) held++;
      if (!this.removed.has(x)) live++;
    }
    return { held, live, viewSize: list.length };
  }

  /** Every member of the entry's view that is not removed holds it (spec §5.6). */
  isStable(ts: number): boolean {
    const e = this.entries.get(ts);
    if (e === undefined) return false;
    for (const x of orderingView(e).list) if (!this.removed.has(x) && (this.heldTo.get(x) ?? 0) < ts) return false;
    return true;
  }

  advanceStable(): boolean {
    const before = this.stableTs;
    while (this.isStable(this.stableTs + 1)) this.stableTs++;
    return this.stableTs !== before;
  }

  /**
   * MaxN (spec §7): the largest ordering view among timestamps not yet stable (0 when all are).
   * Stable here counts removed members as excused, so a removed member's view stops
   * inflating MaxN once the survivors hold its timestamps.
   */
  maxN(): number {
    const c = this.maxNCache;
    if (c !== null && c.stable === this.stableTs && c.max === this.maxTs && c.held === this.heldVersion) return c.value;
    let value = 0;
    for (let ts = this.stableTs + 1; ts <= this.maxTs; ts++) {
      const e = this.entries.get(ts);
      if (e === undefined) continue;
      const size = orderingView(e).list.length;
      if (size > value && !this.isStable(ts)) value = size;
    }
    this.maxNCache = { stable: this.stableTs, max: this.maxTs, held: this.heldVersion, value };
    return value;
  }

  /** Forget entries up to `ts` (delivered and stable); returns them in order. */
  release(ts: number): Entry[] {
    const out: Entry[] = [];
    for (let t = this.releasedTs + 1; t <= ts; t++) {
      const e = this.entries.get(t);
      if (e !== undefined) out.push(e);
      this.entries.delete(t);
    }
    if (ts > this.releasedTs) this.releasedTs = ts;
    while (this.acks.length > 0 && this.acks[0]!.to <= this.releasedTs) this.acks.shift();
    for (const [key, k] of this.views) if (k.cut <= this.releasedTs) this.views.delete(key);
    return out;
  }

  /**
   * Reformation (spec §8.3 steps 5–6): timestamps above `syncTs` are void; the new view is
   * installed at syncTs+1. Returns the voided data entries, whose packets are unordered again.
   */
  reform(syncTs: number, prev: View, next: View, removed: readonly Pid[]): Entry[] {
    const voided: Entry[] = [];
    for (let t = syncTs + 1; t <= this.maxTs; t++) {
      const e = this.entries.get(t);
      if (e?.kind === 'data') voided.push(e);
      this.entries.delete(t);
    }
    this.entries.set(syncTs + 1, { kind: 'view', view: next, prev, cause: 'reformation' });
    this.maxTs = syncTs + 1;
    this.hintTs = 0;
    if (this.stableTs > syncTs) this.stableTs = syncTs;
    for (const [pid, t] of this.heldTo) if (t > syncTs) this.heldTo.set(pid, syncTs);
    for (let i = this.acks.length - 1; i >= 0; i--) if (this.acks[i]!.from > syncTs) this.acks.splice(i, 1);
    for (const k of this.views.values()) if (k.cut > syncTs) k.cut = syncTs;
    this.views.set(next.key, { view: next, cut: Infinity });
    for (const r of removed) this.removed.add(r);
    this.maxNCache = null;
    return voided;
  }
}
