// The have cursor (spec §5.3, D6): every timestamp up to haveTo has its entry and, for data,
// its bytes. It is what this member holds — what its ACKs and CONFIRMs promise, what the
// acceptance rule tests, what its votes report — so each advance may let it accept the
// token, and may make packets stable, deliverable and releasable.
import type { Delivery } from './delivery.js';
import type { MemberIo } from './member-io.js';
import type { MemberState } from './member-state.js';
import { OUT, packetId, viewEntryId } from './outputs.js';
import type { TokenSite } from './token-site.js';

export class HaveCursor {
  /** Once haveTo reaches this, removed sources' unordered packets can never be ordered (D14). */
  private dropRemovedFromTs = Infinity;
  private removedPurged = true;

  constructor(
    private readonly s: MemberState,
    private readonly io: MemberIo,
    private readonly token: TokenSite,
    private readonly delivery: Delivery,
  ) {}

  resetIncarnation(): void {
    this.dropRemovedFromTs = Infinity;
    this.removedPurged = true;
  }

  advance(): void {
    const before = this.s.haveTo;
    for (;;) {
      const ts = this.s.haveTo + 1;
      const e = this.s.log.entries.get(ts);
      if (e === undefined) break;
      if (e.kind === 'data' && !this.s.stream(e.src).has(e.seq)) break;
      this.s.haveTo = ts;
      this.io.out(OUT.have, { pid: this.s.pid, id: e.kind === 'data' ? packetId(e.src, e.seq) : viewEntryId(e.view.key), ts });
    }
    if (this.s.haveTo !== before) {
      this.s.log.noteHeld(this.s.pid, this.s.haveTo);
      if (!this.removedPurged && this.s.haveTo >= this.dropRemovedFromTs) this.dropRemovedUnordered();
      this.token.acceptPendingIfHeld();
    }
    this.delivery.afterHolding();
  }

  /**
   * A reformation synced at `syncTs` removed members: a removed source's packets that no
   * survivor ordered are dropped, once we know every entry up to syncTs (one of them may
   * still order such a packet) (D14).
   */
  dropRemovedOnceHeldPast(syncTs: number): void {
    this.dropRemovedFromTs = syncTs + 1;
    this.removedPurged = false;
  }

  private dropRemovedUnordered(): void {
    this.removedPurged = true;
    for (const r of this.s.log.removed) {
      const s = this.s.sources.get(r);
      if (s === undefined) continue;
      for (const seq of [...s.data.keys()]) if (!s.tsOf.has(seq)) s.data.delete(seq);
    }
  }
}
